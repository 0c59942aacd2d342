using System.Globalization;
using System.Text;
using GainCal.Calibration;
using GainCal.Results;
using MessagePack;
using MessagePack.Formatters;

namespace GainCal.Cluster;

/// <summary>Writes <see cref="Moments"/> as the array [count, mean, M2, min, max] (the bytes of the record it replaced).</summary>
public sealed class MomentsFormatter : IMessagePackFormatter<Moments>
{
    public void Serialize(ref MessagePackWriter writer, Moments value, MessagePackSerializerOptions options)
    {
        writer.WriteArrayHeader(5);
        writer.Write(value.Count);
        writer.Write(value.Mean);
        writer.Write(value.M2);
        writer.Write(value.Min);
        writer.Write(value.Max);
    }

    public Moments Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        var n = reader.ReadArrayHeader();
        if (n != 5) throw new MessagePackSerializationException($"moments: expected 5 values, got {n}");
        return new Moments(reader.ReadInt64(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble());
    }
}

/// <summary>A FED's (or a run's) summary numbers: pixels per fit status, gain and pedestal of good fits.</summary>
[MessagePackObject, Manifest("pixel-stats")]
public sealed record PixelStats(
    [property: Key(0)] long Pixels,
    [property: Key(1)] long WithData,
    [property: Key(2)] int[] Statuses,
    [property: Key(3)] long[] StatusCounts,
    [property: Key(4), MessagePackFormatter(typeof(MomentsFormatter))] Moments Gain,
    [property: Key(5), MessagePackFormatter(typeof(MomentsFormatter))] Moments Pedestal,
    [property: Key(6)] long GoodFits = 0) : IGainCalMessage
{
    public static PixelStats Combine(IEnumerable<PixelStats> parts)
    {
        var counts = new SortedDictionary<int, long>();
        long pixels = 0, withData = 0, goodFits = 0;
        Moments gain = Moments.Empty, pedestal = Moments.Empty;
        foreach (var p in parts)
        {
            pixels += p.Pixels;
            withData += p.WithData;
            goodFits += p.GoodFits;
            for (var i = 0; i < p.Statuses.Length; i++) counts[p.Statuses[i]] = counts.GetValueOrDefault(p.Statuses[i]) + p.StatusCounts[i];
            gain = gain.Combine(p.Gain);
            pedestal = pedestal.Combine(p.Pedestal);
        }
        return new PixelStats(pixels, withData, counts.Keys.ToArray(), counts.Values.ToArray(), gain, pedestal, goodFits);
    }

    /// <summary>The same lines as PixelTableSummary (the reference's Summary.txt numbers).</summary>
    public string ToText()
    {
        var c = CultureInfo.InvariantCulture;
        var rows = Enumerable.Range(0, Statuses.Length).Select(i => (Status: Statuses[i], Count: StatusCounts[i])).ToArray();
        var b = new StringBuilder();
        b.AppendLine(string.Create(c, $"pixels: {Pixels:N0} ({WithData:N0} with data), good fits {GoodFits:N0} = {Percent(GoodFits, Pixels)} ({GoodFit.Definition})"));
        foreach (var (status, n) in rows.OrderByDescending(x => x.Count))
            b.AppendLine(string.Create(c, $"  status {status,3}  {n,12:N0}  {Percent(n, Pixels),8}  {FitStatusText.Describe((FitStatus)status, FitSettings.Production)}"));
        b.AppendLine(string.Create(c, $"gain     [e-/ADC]: mean {Gain.Mean,8:F2}  rms {Gain.Rms,7:F2}  min {Gain.Min,8:F2}  max {Gain.Max,8:F2}"));
        b.Append(string.Create(c, $"pedestal [ADC]   : mean {Pedestal.Mean,8:F2}  rms {Pedestal.Rms,7:F2}  min {Pedestal.Min,8:F2}  max {Pedestal.Max,8:F2}"));
        return b.ToString();
    }

    static string Percent(long n, long of) => of == 0 ? "-" : (100.0 * n / of).ToString("F3", CultureInfo.InvariantCulture) + "%";
}

/// <summary>A FED's <see cref="PixelStats"/> gathered from its fits as they arrive, so the FED's end does not
/// pass over every row of its table (for a reduced FED the table is mostly pixels without data). Pixels of
/// the table that were never fitted have no status, as in the table itself.</summary>
public sealed class PixelStatsBuilder
{
    readonly long[] _counts = new long[256];   // by (byte)status
    long _fitted, _goodFits;
    Moments _gain = Moments.Empty, _pedestal = Moments.Empty;

    public void Add(PatternFits fits)
    {
        foreach (ref readonly var f in fits.Fits.AsSpan())
        {
            _counts[(byte)f.Status]++;
            if (GoodFit.Is((int)f.Status, f.Gain, f.Pedestal)) _goodFits++;
            if ((sbyte)f.Status <= 0) continue;
            _gain.Add(f.Gain);
            _pedestal.Add(f.Pedestal);
        }
        _fitted += fits.PixelCount;
    }

    public PixelStats Build(long rows)
    {
        var counts = (long[])_counts.Clone();
        counts[(byte)FitStatus.NoStatus] += rows - _fitted;
        var statuses = Enumerable.Range(0, 256).Where(i => counts[i] > 0).Select(i => (int)(sbyte)(byte)i).Order().ToArray();
        return new PixelStats(rows, rows - counts[(byte)FitStatus.NoStatus], statuses,
            statuses.Select(s => counts[(byte)(sbyte)s]).ToArray(),
            _gain, _pedestal, _goodFits);
    }
}
