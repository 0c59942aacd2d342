using System.Globalization;
using System.Runtime.InteropServices;
using GainCal.Detector;
using GainCal.Dump;
using GainCal.Storage;

namespace GainCal.Calibration;

/// <summary>One VCal point of a pixel's curve: the reference's x_i, y_i, ey_i, and whether its selection kept the point.</summary>
public sealed record CurvePoint(int Index, int VCal, double Charge, int Entries, double MeanAdc, double Error, bool Selected);

/// <summary>An online pixel address (FED, link, ROC on the link, ROC row and column) with its module and offline position.</summary>
public sealed record PixelAddress(int Fed, int Link, int Roc, int RocRow, int RocCol, DetId Module, int ModuleRow, int ModuleCol)
{
    public override string ToString() =>
        $"FED {Fed} link {Link} ROC {Roc} row {RocRow} col {RocCol} = {Module.ModuleName} (detid {Module.Raw}) row {ModuleRow} col {ModuleCol}";
}

/// <summary>
/// A pixel's curve read back from its pattern's window of the dump (make_gaincurves.C's GainCurve histogram), with
/// the reference fit of exactly those sums.
/// </summary>
public sealed record PixelCurve(PixelAddress Pixel, int Pattern, long WindowStart, long WindowBytes, int Events, VCalConversion VCal,
    IReadOnlyList<CurvePoint> Points, PixelFit Fit);

/// <summary>Finds a pixel's pattern window through the <see cref="PatternIndex"/>, decodes only it, and fits the pixel.</summary>
public static class PixelCurveReader
{
    /// <summary>FED/link/ROC/row/col or DetId/row/col.</summary>
    public static PixelAddress Parse(string text, FedCalibrationSetup setup)
    {
        var parts = text.Split('/');
        var numbers = new long[parts.Length];
        for (var i = 0; i < parts.Length; i++)
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]) || numbers[i] > uint.MaxValue)
                throw new ArgumentException($"pixel '{text}': '{parts[i]}' is not a number (give FED/link/ROC/row/col or DetId/row/col)");
        return parts.Length switch
        {
            5 => Locate(setup, (int)numbers[0], (int)numbers[1], (int)numbers[2], (int)numbers[3], (int)numbers[4]),
            3 => Locate(setup, new DetId((uint)numbers[0]), (int)numbers[1], (int)numbers[2]),
            _ => throw new ArgumentException($"pixel '{text}': give FED/link/ROC/row/col (5 numbers) or DetId/row/col (3 numbers)"),
        };
    }

    /// <summary>A pixel's curve from a calibration output directory (a run's, or `calibrate -o`'s): the FED's pattern
    /// index fed/&lt;FED&gt;.patterns, and the dump given, else the one the index recorded, else the same file name in
    /// <paramref name="inputDir"/> (the run's input directory). Returns the run the index was written for.</summary>
    public static (PixelCurve Curve, uint Run) ReadFromOutput(string outputDir, string? inputDir, FedCalibrationSetup setup, PixelAddress pixel,
        string? dump = null)
    {
        var storage = StorageByLocation.Default;
        var indexPath = Path.Combine(outputDir, "fed", pixel.Fed.ToString(CultureInfo.InvariantCulture) + PatternIndex.Extension);
        var index = PatternIndex.Read(indexPath, setup.Pattern.PatternCount);
        var dumpPath = dump
            ?? (storage.Stat(index.DumpPath) is { IsDirectory: false } ? index.DumpPath
                : inputDir is not null ? Path.Combine(inputDir, Path.GetFileName(index.DumpPath)) : index.DumpPath);
        return (Read(dumpPath, index, setup, pixel), index.Run);
    }

    public static PixelAddress Locate(FedCalibrationSetup setup, int fed, int link, int roc, int rocRow, int rocCol)
    {
        if (!setup.Cabling.Contains(fed)) throw new ArgumentException($"FED {fed} is not in the cabling map");
        var cabling = setup.Cabling.ForFed(fed);
        var index = cabling.RocIndex(link, roc);
        if (index < 0) throw new ArgumentException($"FED {fed} has no ROC {roc} on link {link} in the cabling map");
        if ((uint)rocRow >= CalibrationPattern.RocRows || (uint)rocCol >= CalibrationPattern.RocColumns)
            throw new ArgumentException($"ROC row {rocRow} / column {rocCol} out of range (0-79, 0-51)");
        var cabled = cabling[index];
        var (row, col) = cabled.ToModule(rocRow, rocCol);
        return new PixelAddress(fed, link, roc, rocRow, rocCol, cabled.DetId, row, col);
    }

    /// <summary>The online address of a module pixel (inverse of the cabling's ROC-to-module frame).</summary>
    public static PixelAddress Locate(FedCalibrationSetup setup, DetId module, int moduleRow, int moduleCol)
    {
        if (!module.IsPhase1Module) throw new ArgumentException($"{module.Raw} is not a Phase-1 pixel module");
        if ((uint)moduleRow >= ModuleFrame.ModuleRows || (uint)moduleCol >= ModuleFrame.ModuleCols)
            throw new ArgumentException($"module row {moduleRow} / column {moduleCol} out of range (0-159, 0-415)");
        for (var id = 0; id < ModuleFrame.RocsPerModule; id++)
        {
            if (!setup.Cabling.TryLocate(module, id, out var cabled) || cabled is null) continue;
            for (var r = 0; r < ModuleFrame.RocRows; r++)
                for (var c = 0; c < ModuleFrame.RocCols; c++)
                    if (cabled.ToModule(r, c) == (moduleRow, moduleCol))
                        return new PixelAddress(cabled.Fed, cabled.Link, cabled.Roc, r, c, module, moduleRow, moduleCol);
        }
        throw new ArgumentException($"{module.ModuleName} (detid {module.Raw}) row {moduleRow} col {moduleCol}: no cabled ROC holds this pixel");
    }

    public static PixelCurve Read(string dumpPath, PatternIndex index, FedCalibrationSetup setup, PixelAddress pixel)
    {
        var pattern = setup.Pattern;
        var p = Enumerable.Range(0, pattern.PatternCount).FirstOrDefault(q => pattern.SlotOf(q, pixel.RocRow, pixel.RocCol) >= 0, -1);
        if (p < 0) throw new ArgumentException($"ROC pixel row {pixel.RocRow} col {pixel.RocCol} is injected by no pattern of the calibration");
        // A path or a root:// URL: the window is read where the dump is, as the calibration read it.
        var storage = StorageByLocation.Default;
        if (storage.Stat(dumpPath) is not { IsDirectory: false } dumpFile) throw new FileNotFoundException($"{dumpPath}: no such dump file", dumpPath);
        var length = dumpFile.Size;
        if (length != index.DumpLength)
            throw new InvalidDataException($"{dumpPath}: {length} bytes, but the pattern index was written for a dump of {index.DumpLength} bytes (calibrate again)");
        if (index.Window(p) is not { } window)
            throw new InvalidDataException($"{dumpPath}: the calibration never reached pattern {p} of this pixel (dump cut short?)");

        // The dump's run-number word, then the window's bytes: a dump of its own whose event 0 is the pattern's first.
        var bytes = new byte[8 + window.End - window.Start];
        using (var file = storage.OpenRead(dumpPath))
        {
            file.ReadExactly(bytes.AsSpan(0, 8));
            file.Seek(window.Start, SeekOrigin.Begin);
            var read = file.ReadAtLeast(bytes.AsSpan(8), bytes.Length - 8, throwOnEndOfStream: false);
            if (read != bytes.Length - 8) throw new InvalidDataException($"{dumpPath}: short read of pattern {p}'s window at byte {window.Start}");
        }
        var points = pattern.PointCount;
        var entries = new byte[points];
        var sums = new uint[points];
        var squares = new uint[points];
        var layer1 = setup.Cabling.ForFed(pixel.Fed)[setup.Cabling.ForFed(pixel.Fed).RocIndex(pixel.Link, pixel.Roc)].IsLayer1;
        var events = 0;
        using (var reader = new DumpReader(new MemoryStream(bytes, writable: false), dumpPath))
        {
            while (events < pattern.EventsPerPattern && reader.TryReadEvent(out var ev))
            {
                var e = (long)p * pattern.EventsPerPattern + ev.Index;
                if (e >= pattern.ExpectedEvents) break;
                events++;
                var point = pattern.VCalIndexOf(e);
                for (var f = 0; f < ev.FragmentCount; f++)
                {
                    if (ev.CrcDropped(f) || ev.FedId(f) != pixel.Fed) continue;
                    foreach (var w in MemoryMarshal.Cast<ulong, uint>(ev.Payload(f)))
                    {
                        if (PixelWord.Link(w) != pixel.Link || PixelWord.Roc(w) != pixel.Roc) continue;
                        if (!PixelWord.TryDecode(w, layer1, out var r, out var c) || r != pixel.RocRow || c != pixel.RocCol) continue;
                        // SiPixelCalibDigi's widths: an 8-bit entry counter, 32-bit sums.
                        var adc = (uint)PixelWord.Adc(w);
                        entries[point]++;
                        sums[point] += adc;
                        squares[point] += adc * adc;
                    }
                }
            }
        }
        var vcal = setup.VCal.For(pixel.Module.Raw);
        var fitter = new GainFitter(pattern, setup.Fit);
        var fit = fitter.Fit(entries, sums, squares, vcal);
        var selected = new HashSet<int>(fitter.LastSelection.ToArray());
        var charges = fitter.LastCharges;
        var means = fitter.LastMeans;
        var curve = new CurvePoint[fitter.PointCount];
        for (var i = 0; i < curve.Length; i++)
        {
            // The error on the mean as the reference computes it (single precision), for the plot and the text.
            double error = 0;
            if (entries[i] > 1)
            {
                float n = entries[i], y = sums[i] / n;
                error = MathF.Sqrt(MathF.Max(0, squares[i] / n - y * y)) / MathF.Sqrt(n);
            }
            curve[i] = new CurvePoint(i, pattern.VCalValues[i], charges[i], entries[i], means[i], error, selected.Contains(i));
        }
        return new PixelCurve(pixel, p, window.Start, window.End - window.Start, events, vcal, curve, fit);
    }
}
