using System.Globalization;
using System.Text;
using GainCal.Detector;
using GainCal.Payloads;

namespace GainCal.Cli.Commands;

/// <summary>Text views of a gain payload, in the spirit of the conditions tools' payload dumps.</summary>
internal static class PayloadInspector
{
    public static void Header(TextWriter o, GainPayloadFile f)
    {
        var p = f.Payload;
        var enc = p.Encoding;
        o.WriteLine($"file     {f.Path}");
        o.WriteLine($"tag      {f.Tag.Name}  ({f.Tag.ObjectType}, record {p.Kind.Record()}, time type {f.Tag.TimeType}, synchronization {f.Tag.Synchronization})");
        o.WriteLine($"IOV      since {f.Iov.Since} -> payload {f.PayloadHash} (inserted {f.Iov.InsertionTime:yyyy-MM-dd HH:mm:ss} UTC)");
        o.WriteLine($"archive  class {f.Tag.ObjectType}, boost portable binary archive version {f.ArchiveVersion}, written by {f.WrittenBy}");
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"encoding pedestal [{enc.MinPedestal}, {enc.MaxPedestal}] step {enc.PedestalStep:G6} ADC; gain [{enc.MinGain}, {enc.MaxGain}] step {enc.GainStep:G6} e-/ADC; {GainEncoding.BinsUsedForEncoding} codes, noisy {GainEncoding.NoisyFlag}, dead {GainEncoding.DeadFlag}; {(enc.SinglePrecision ? "float" : "double")} arithmetic; rows averaged {p.RowsToAverageOver}"));
        long perModule = p.Registry.Count == 0 ? 0 : p.DataLength / p.Registry.Count;
        o.WriteLine($"modules  {p.Registry.Count}, {p.DataLength:N0} bytes ({perModule:N0} per module)");
    }

    public static void Registry(TextWriter o, GainPayload p, int limit)
    {
        o.WriteLine($"{"detid",10} {"ibegin",12} {"iend",12} {"ncols",5}  module");
        int shown = 0;
        foreach (var e in p.Registry)
        {
            if (limit > 0 && shown == limit) { o.WriteLine($"... {p.Registry.Count - shown} more (--limit 0 shows all)"); break; }
            o.WriteLine($"{e.DetId,10} {e.IBegin,12} {e.IEnd,12} {e.NCols,5}  {new DetId(e.DetId).ModuleName}");
            shown++;
        }
    }

    public static void Module(TextWriter o, GainPayload p, ModuleRegistryEntry e, int column)
    {
        if ((uint)column >= (uint)e.NCols) throw new ArgumentException($"column {column} outside 0..{e.NCols - 1}");
        o.WriteLine($"module   {e.DetId} {new DetId(e.DetId).ModuleName}: bytes {e.IBegin}..{e.IEnd} ({e.Length:N0}), {e.NCols} columns");
        o.WriteLine(p.Kind switch
        {
            PayloadKind.Offline => "layout   per column: pedestal rows 0-79, gain(rows 0-79), pedestal rows 80-159, gain(rows 80-159)",
            PayloadKind.Hlt => "layout   per column: gain, pedestal (rows 0-79); gain, pedestal (rows 80-159)",
            _ => "layout   per column, per row 0-159: gain, pedestal",
        });
        var bytes = p.ModuleBytes(e);
        int perCol = e.Length / e.NCols;
        var line = new StringBuilder();
        for (int c = 0; c < e.NCols; c++)
        {
            line.Clear();
            line.Append(CultureInfo.InvariantCulture, $"col {c,3}: ");
            line.Append(Convert.ToHexString(bytes.Slice(c * perCol, perCol)));
            o.WriteLine(line.ToString());
        }
        o.WriteLine($"decoded column {column} (--csv writes every pixel):");
        o.WriteLine($"{"row",4} {"ped code",8} {"pedestal",10} {"gain code",9} {"gain",10}  flags");
        for (int row = 0; row < PayloadKinds.ModuleRows; row++)
        {
            var px = p.ReadPixel(e, column, row);
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{row,4} {px.PedestalCode,8} {px.Pedestal,10:G7} {px.GainCode,9} {px.Gain,10:G7}  {Flags(px)}"));
        }
    }

    public static int WriteCsv(string path, GainPayload p, uint? detId)
    {
        using var w = new StreamWriter(path);
        w.WriteLine("detid,row,col,pedestal_code,gain_code,pedestal,gain,dead,noisy");
        int n = 0;
        foreach (var e in p.Registry)
        {
            if (detId is { } d && e.DetId != d) continue;
            for (int col = 0; col < e.NCols; col++)
                for (int row = 0; row < PayloadKinds.ModuleRows; row++)
                {
                    var px = p.ReadPixel(e, col, row);
                    w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{e.DetId},{row},{col},{px.PedestalCode},{px.GainCode},{px.Pedestal:R},{px.Gain:R},{(px.PedestalDead || px.GainDead ? 1 : 0)},{(px.PedestalNoisy || px.GainNoisy ? 1 : 0)}"));
                    n++;
                }
        }
        return n;
    }

    /// <summary>Module-by-module differences of two payloads of one class (same bytes means same decoded values).</summary>
    public static IEnumerable<string> Compare(GainPayload a, GainPayload b)
    {
        var ea = a.Encoding;
        var eb = b.Encoding;
        yield return (ea.MinPedestal, ea.MaxPedestal, ea.MinGain, ea.MaxGain) == (eb.MinPedestal, eb.MaxPedestal, eb.MinGain, eb.MaxGain)
            ? "encoding the same"
            : string.Create(CultureInfo.InvariantCulture, $"encoding differs: pedestal [{ea.MinPedestal}, {ea.MaxPedestal}] vs [{eb.MinPedestal}, {eb.MaxPedestal}], gain [{ea.MinGain}, {ea.MaxGain}] vs [{eb.MinGain}, {eb.MaxGain}]");
        int onlyA = 0, same = 0, differ = 0, pixels = 0;
        float maxPed = 0, maxGain = 0;
        uint worst = 0;
        foreach (var e in a.Registry)
        {
            if (!b.TryGetModule(e.DetId, out var f)) { onlyA++; continue; }
            if (e.NCols == f.NCols && a.ModuleBytes(e).SequenceEqual(b.ModuleBytes(f)) && ea.MinPedestal == eb.MinPedestal && ea.MaxPedestal == eb.MaxPedestal
                && ea.MinGain == eb.MinGain && ea.MaxGain == eb.MaxGain) { same++; continue; }
            differ++;
            for (int col = 0; col < Math.Min(e.NCols, f.NCols); col++)
                for (int row = 0; row < PayloadKinds.ModuleRows; row++)
                {
                    var pa = a.ReadPixel(e, col, row);
                    var pb = b.ReadPixel(f, col, row);
                    if (pa == pb) continue;
                    pixels++;
                    float dp = Math.Abs(pa.Pedestal - pb.Pedestal), dg = Math.Abs(pa.Gain - pb.Gain);
                    if (dp > maxPed || dg > maxGain) worst = e.DetId;
                    maxPed = Math.Max(maxPed, dp);
                    maxGain = Math.Max(maxGain, dg);
                }
        }
        int onlyB = b.Registry.Count(e => !a.TryGetModule(e.DetId, out _));
        yield return $"modules: {same} identical, {differ} differ, {onlyA} only in the first, {onlyB} only in the second";
        if (differ > 0)
            yield return string.Create(CultureInfo.InvariantCulture,
                $"pixels that decode differently: {pixels:N0}; largest |pedestal difference| {maxPed:G6} ADC, |gain difference| {maxGain:G6} e-/ADC (e.g. module {worst} {new DetId(worst).ModuleName})");
    }

    private static string Flags(DecodedPixel px) =>
        (px.PedestalDead ? "pedestal dead " : "") + (px.PedestalNoisy ? "pedestal noisy " : "") +
        (px.GainDead ? "gain dead " : "") + (px.GainNoisy ? "gain noisy" : "");
}
