using System.Globalization;

namespace GainCal.Reports;

/// <summary>One PNG of a report with the caption the PDF prints under it.</summary>
public sealed record ReportFigure(string FileName, string Caption);

/// <summary>Renders the summary's plots (PNG) into a directory; names follow the macro's where one exists.</summary>
internal static class SummaryPlots
{
    public static IReadOnlyList<(string Section, IReadOnlyList<ReportFigure> Figures, int Columns)> Write(
        RunSummary s, string directory, Action<string>? progress = null)
    {
        var run = "_Run" + s.Run.ToString(CultureInfo.InvariantCulture);
        var sections = new List<(string, IReadOnlyList<ReportFigure>, int)>();
        string P(string name) => Path.Combine(directory, name);
        var bpixParts = s.Parts.Where(p => DetectorPart.IsBPix(p.Part) && p.Modules > 0).ToList();
        var fpixParts = s.Parts.Where(p => !DetectorPart.IsBPix(p.Part) && p.Modules > 0).ToList();

        progress?.Invoke("plots: distributions");
        var distributions = new List<ReportFigure>();
        foreach (var (sub, subParts) in new[] { ("BPix", bpixParts), ("FPix", fpixParts) })
        {
            if (subParts.Count == 0) continue;
            var gain = $"TOT_Gain{sub}{run}.png";
            ReportPlots.Histograms(P(gain), $"{sub} gain per pixel, run {s.Run}", "gain [electrons / ADC]",
                subParts.Select(p => (p.Name, p.GainHistogram)).ToList(), normalize: true);
            distributions.Add(new(gain, $"{sub} gain, one entry per good-fit pixel, per layer/disk and ring (normalised)."));
            var ped = $"TOT_Pedestal{sub}{run}.png";
            ReportPlots.Histograms(P(ped), $"{sub} pedestal per pixel, run {s.Run}", "pedestal [ADC]",
                subParts.Select(p => (p.Name, p.PedestalHistogram)).ToList(), normalize: true);
            distributions.Add(new(ped, $"{sub} pedestal, one entry per good-fit pixel (normalised)."));
        }
        sections.Add(("Distributions per pixel", distributions, 1));

        var levels = new List<ReportFigure>();
        var colRoc = new[] { ("GainPerCol", "gain per column half", s.ColumnGain, "gain [electrons / ADC]"),
            ("PedestalPerCol", "pedestal per column half", s.ColumnPedestal, "pedestal [ADC]"),
            ("GainPerROC", "gain per ROC", s.RocGain, "gain [electrons / ADC]"),
            ("PedestalPerROC", "pedestal per ROC", s.RocPedestal, "pedestal [ADC]") };
        foreach (var (name, what, hists, axis) in colRoc)
        {
            var file = $"TOT_{name}{run}.png";
            ReportPlots.Histograms(P(file), $"Mean {what}, run {s.Run}", axis, [("BPix", hists[0]), ("FPix", hists[1])], normalize: true, logY: true);
            levels.Add(new(file, $"Mean {what} over its good-fit pixels (log scale, normalised)."));
        }
        sections.Add(("Distributions per column and per ROC", levels, 2));

        progress?.Invoke("plots: fit status");
        var statusFile = $"SUB_GainFitResult{run}.png";
        var parts = s.Parts.Where(p => p.Modules > 0).ToList();
        var badBins = new[] { 0, 2, 6, 7, 8 };
        ReportPlots.StackedBars(P(statusFile), $"Bad fits per detector part, run {s.Run}", parts.Select(p => p.Name).ToList(),
            badBins.Select(b => ($"status {(int)RunSummary.StatusOfBin(b)}",
                parts.Select(p => RunSummary.Percent(p.StatusCounts[b], p.Pixels)).ToArray())).ToList(), "% of pixels");
        sections.Insert(0, ("Fit status", [new(statusFile, "Pixels with a bad fit (status <= 0) per layer and disk/ring, by status code; status 0 includes pixels absent from the table.")], 1));

        progress?.Invoke("plots: maps");
        var maps = new[]
        {
            ("Gain", "mean gain", "gain [e/ADC]", (Func<ModuleSummary, double>)(m => m.MeanGain)),
            ("Pedestal", "mean pedestal", "pedestal [ADC]", m => m.MeanPedestal),
            ("frac_bad_fit", "fraction of bad fits", "fraction", m => m.FractionBadFit),
            ("frac_gain_high", $"fraction of pixels with gain > {RunSummary.HighGainThreshold}", "fraction", m => m.FractionHighGain),
        };
        foreach (var (name, what, axis, value) in maps)
        {
            var figures = new List<ReportFigure>();
            var values = s.ModuleList.Select(m => (m.DetId, value(m))).ToList();
            for (var layer = 1; layer <= 4; layer++)
            {
                if (s.Parts[layer - 1].Modules == 0) continue;
                var file = $"MAP_{name}_layer{layer}{run}.png";
                var (grid, extent) = ModuleMaps.Layer(layer, values);
                ReportPlots.Map(P(file), $"BPix layer {layer}: {what} per module", grid, extent, "module", "ladder", axis);
                figures.Add(new(file, $"BPix layer {layer}"));
            }
            foreach (var (side, sign) in new[] { (1, "-z"), (2, "+z") })
            {
                if (!s.ModuleList.Any(m => !DetectorPart.IsBPix(m.Part) && new Detector.DetId(m.DetId).Side == side)) continue;
                var file = $"MAP_{name}_fpix{(side == 1 ? "minus" : "plus")}{run}.png";
                var (grid, extent) = ModuleMaps.Side(side, values);
                ReportPlots.Map(P(file), $"FPix {sign}: {what} per module", grid, extent, "blade (panel 2 right half)", "disk", axis,
                    [ModuleMaps.RingBoundary]);
                figures.Add(new(file, $"FPix {sign} (ring 1 left of the dashed line, ring 2 right)"));
            }
            sections.Add(($"Maps: {what} per module", figures, 2));
        }

        progress?.Invoke("plots: per-module summaries");
        var perModule = new List<ReportFigure>();
        var moduleParts = s.ModuleList.Select(m => m.Part).ToList();
        foreach (var (name, what, axis, value) in maps)
        {
            var file = $"SUM_{name}_whole{run}.png";
            ReportPlots.PerModule(P(file), $"{char.ToUpperInvariant(what[0])}{what[1..]} per module, run {s.Run}",
                s.ModuleList.Select(value).ToList(), moduleParts, axis);
            perModule.Add(new(file, $"{char.ToUpperInvariant(what[0])}{what[1..]} per module, modules in detector order."));
        }
        sections.Add(("Summary plots (one entry per module)", perModule, 1));
        return sections;
    }
}
