using System.Globalization;
using System.Text;
using GainCal.Calibration;
using GainCal.Results;
using MessagePack;

namespace GainCal.Cluster;

/// <summary>Count, mean, sum of squared deviations, minimum and maximum: enough to combine two sets exactly
/// (Chan et al.), so a run's statistics come from its FEDs' without reading the merged table back.</summary>
[MessagePackObject, Manifest("moments")]
public sealed record Moments(
    [property: Key(0)] long Count,
    [property: Key(1)] double Mean,
    [property: Key(2)] double M2,
    [property: Key(3)] double Min,
    [property: Key(4)] double Max) : IGainCalMessage
{
    public static readonly Moments Empty = new(0, 0, 0, double.NaN, double.NaN);

    public static Moments Of(RunningStats s) => s.Count == 0 ? Empty : new(s.Count, s.Mean, s.Rms * s.Rms * s.Count, s.Min, s.Max);

    [IgnoreMember] public double Rms => Count > 0 ? Math.Sqrt(M2 / Count) : double.NaN;

    public Moments Combine(Moments o)
    {
        if (o.Count == 0) return this;
        if (Count == 0) return o;
        var n = Count + o.Count;
        var delta = o.Mean - Mean;
        return new Moments(n, Mean + delta * o.Count / n, M2 + o.M2 + delta * delta * Count * o.Count / n,
            Math.Min(Min, o.Min), Math.Max(Max, o.Max));
    }
}

/// <summary>A FED's (or a run's) summary numbers: pixels per fit status, gain and pedestal of good fits.</summary>
[MessagePackObject, Manifest("pixel-stats")]
public sealed record PixelStats(
    [property: Key(0)] long Pixels,
    [property: Key(1)] long WithData,
    [property: Key(2)] int[] Statuses,
    [property: Key(3)] long[] StatusCounts,
    [property: Key(4)] Moments Gain,
    [property: Key(5)] Moments Pedestal) : IGainCalMessage
{
    public static PixelStats Of(PixelTableSummary s)
    {
        var statuses = s.StatusCounts.Keys.OrderBy(k => (int)k).ToArray();
        return new PixelStats(s.Pixels, s.PixelsWithData, statuses.Select(k => (int)k).ToArray(),
            statuses.Select(k => (long)s.StatusCounts[k]).ToArray(), Moments.Of(s.Gain), Moments.Of(s.Pedestal));
    }

    public static PixelStats Combine(IEnumerable<PixelStats> parts)
    {
        var counts = new SortedDictionary<int, long>();
        long pixels = 0, withData = 0;
        Moments gain = Moments.Empty, pedestal = Moments.Empty;
        foreach (var p in parts)
        {
            pixels += p.Pixels;
            withData += p.WithData;
            for (var i = 0; i < p.Statuses.Length; i++) counts[p.Statuses[i]] = counts.GetValueOrDefault(p.Statuses[i]) + p.StatusCounts[i];
            gain = gain.Combine(p.Gain);
            pedestal = pedestal.Combine(p.Pedestal);
        }
        return new PixelStats(pixels, withData, counts.Keys.ToArray(), counts.Values.ToArray(), gain, pedestal);
    }

    /// <summary>The same lines as PixelTableSummary (the reference's Summary.txt numbers).</summary>
    public string ToText()
    {
        var c = CultureInfo.InvariantCulture;
        var rows = Enumerable.Range(0, Statuses.Length).Select(i => (Status: Statuses[i], Count: StatusCounts[i])).ToArray();
        var good = rows.Where(x => x.Status > 0).Sum(x => x.Count);
        var b = new StringBuilder();
        b.AppendLine(string.Create(c, $"pixels: {Pixels:N0} ({WithData:N0} with data, {good:N0} good fits = {Percent(good, WithData)})"));
        foreach (var (status, n) in rows.OrderByDescending(x => x.Count))
            b.AppendLine(string.Create(c, $"  status {status,3}  {n,12:N0}  {Percent(n, Pixels),8}  {FitStatusText.Describe((FitStatus)status, FitSettings.Production)}"));
        b.AppendLine(string.Create(c, $"gain     [e-/ADC]: mean {Gain.Mean,8:F2}  rms {Gain.Rms,7:F2}  min {Gain.Min,8:F2}  max {Gain.Max,8:F2}"));
        b.Append(string.Create(c, $"pedestal [ADC]   : mean {Pedestal.Mean,8:F2}  rms {Pedestal.Rms,7:F2}  min {Pedestal.Min,8:F2}  max {Pedestal.Max,8:F2}"));
        return b.ToString();
    }

    static string Percent(long n, long of) => of == 0 ? "-" : (100.0 * n / of).ToString("F3", CultureInfo.InvariantCulture) + "%";
}
