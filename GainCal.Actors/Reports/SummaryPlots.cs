using System.Globalization;

namespace GainCal.Reports;

/// <summary>One PNG of a report with the caption the PDF prints under it.</summary>
public sealed record ReportFigure(string FileName, string Caption);

/// <summary>A section of the summary PDF: its figures in a grid of <paramref name="Columns"/>, after an optional note.</summary>
public sealed record ReportSection(string Title, IReadOnlyList<ReportFigure> Figures, int Columns, string? Note = null);

/// <summary>Renders the summary's plots (PNG) into a directory; names follow the macro's where one exists.</summary>
internal static class SummaryPlots
{
    public static IReadOnlyList<ReportSection> Write(
        RunSummary s, string directory, Action<string>? progress = null)
    {
        var run = "_Run" + s.Run.ToString(CultureInfo.InvariantCulture);
        var sections = new List<ReportSection>();
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
        sections.Add(new("Distributions per pixel", distributions, 1));

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
        sections.Add(new("Distributions per column and per ROC", levels, 2));

        progress?.Invoke("plots: correlations");
        var correlations = new List<ReportFigure>();
        var correlationTitles = new[] { "gain vs pedestal", "error of the slope vs gain", "error of the pedestal vs pedestal", "error of the pedestal vs error of the slope" };
        foreach (var (sub, index, subParts) in new[] { ("BPix", 0, bpixParts), ("FPix", 1, fpixParts) })
        {
            if (subParts.Count == 0) continue;
            for (var c = 0; c < correlationTitles.Length; c++)
            {
                var file = $"TOT_{SummaryBuilder.CorrelationNames[c]}{sub}{run}.png";
                ReportPlots.Correlation(P(file), $"{sub}: {correlationTitles[c]}, run {s.Run}", s.Correlations[index][c]);
                correlations.Add(new(file, $"{sub}: {correlationTitles[c]}, one entry per good-fit pixel ({SummaryBuilder.CorrelationNames[c]}{sub})."));
            }
        }
        sections.Add(new("Correlations per pixel", correlations, 2));

        progress?.Invoke("plots: fit status");
        var statusFile = $"STATUS_BadFits_whole{run}.png";
        var parts = s.Parts.Where(p => p.Modules > 0).ToList();
        var badBins = new[] { 0, 2, 6, 7, 8 };
        ReportPlots.StackedBars(P(statusFile), $"Bad fits per detector part, run {s.Run}", parts.Select(p => p.Name).ToList(),
            badBins.Select(b => ($"status {(int)RunSummary.StatusOfBin(b)}",
                parts.Select(p => RunSummary.Percent(p.StatusCounts[b], p.Pixels)).ToArray())).ToList(), "% of pixels");
        sections.Insert(0, new("Fit status", [new(statusFile, "Pixels with a bad fit (status <= 0) per layer and disk/ring, by status code; status 0 includes pixels absent from the table.")], 1));

        progress?.Invoke("plots: per layer, disk and ring");
        var subdetector = new List<ReportFigure>();
        foreach (var q in SummaryQuantities.All)
        {
            var means = Subdetectors.Means(s.ModuleList, q.Value).Where(g => g.Value.Count > 0).ToList();
            if (means.Count == 0) continue;
            var file = $"SUB_{q.Name}_whole{run}.png";
            var median = RobustRange.Percentile(means.Select(g => g.Value.Mean).Order().ToArray(), 50);
            ReportPlots.MeansWithErrors(P(file), $"{Capital(q.Title)} per layer, disk and ring", means.Select(g => g.Name).ToList(),
                means.Select(g => g.Value.Mean).ToList(), means.Select(g => g.Value.Rms).ToList(), q.Axis, q.MinimumSpan(median));
            subdetector.Add(new(file, $"SUB_{q.Name}: mean over the modules of each part of their {q.Title}; error bar = RMS over the modules; y axis at least {G(q.MinimumSpan(median))} wide."));
        }
        sections.Add(new("Subdetector plots (mean of the module values per layer, disk and ring)", subdetector, 2));

        progress?.Invoke("plots: per-module summaries");
        var perModule = new List<ReportFigure>();
        var moduleParts = s.ModuleList.Select(m => m.Part).ToList();
        foreach (var q in SummaryQuantities.All)
        {
            var values = s.ModuleList.Select(q.Value).ToList();
            var range = RobustRange.Of(values, 0.5, q.MinimumSpan);
            if (range is null) continue;
            var file = $"SUM_{q.Name}_whole{run}.png";
            ReportPlots.PerModule(P(file), $"{Capital(q.Title)} per module, run {s.Run}", values, moduleParts, q.Axis, range);
            perModule.Add(new(file, $"SUM_{q.Name}: {q.Title} per module, modules in detector order; y axis p0.5-p99.5 of the modules, a point beyond it sits on the edge."));
        }
        sections.Add(new("Summary plots (one entry per module)", perModule, 1));

        progress?.Invoke("plots: maps");
        foreach (var q in SummaryQuantities.All)
        {
            var figures = new List<ReportFigure>();
            var values = s.ModuleList.Select(m => (m.DetId, q.Value(m))).ToList();
            var range = RobustRange.Of(values.Select(v => v.Item2), 2, q.MinimumSpan);
            if (range is null) continue;
            for (var layer = 1; layer <= 4; layer++)
            {
                if (s.Parts[layer - 1].Modules == 0) continue;
                var file = $"MAP_{q.Name}_layer{layer}{run}.png";
                var (grid, extent) = ModuleMaps.Layer(layer, values);
                ReportPlots.Map(P(file), $"BPix layer {layer}: {q.Title}", grid, extent, "module", "ladder", q.Axis, range);
                figures.Add(new(file, $"BPix layer {layer}"));
            }
            foreach (var (side, sign) in new[] { (1, "-z"), (2, "+z") })
            {
                if (!s.ModuleList.Any(m => !DetectorPart.IsBPix(m.Part) && new Detector.DetId(m.DetId).Side == side)) continue;
                var file = $"MAP_{q.Name}_fpix{(side == 1 ? "minus" : "plus")}{run}.png";
                var (grid, extent) = ModuleMaps.Side(side, values);
                ReportPlots.Map(P(file), $"FPix {sign}: {q.Title}", grid, extent, "blade (panel 2 right half)", "disk", q.Axis, range,
                    [ModuleMaps.RingBoundary]);
                figures.Add(new(file, $"FPix {sign}, disks 1-3 (ring 1 left of the dashed line, ring 2 right)"));
            }
            var scale = range.Value.Widened
                ? $"Colour scale {G(range.Value.Low)} to {G(range.Value.High)}: the modules' 2nd-98th percentiles lie closer than {G(range.Value.High - range.Value.Low)}, so the scale is that wide around their median (a narrower spread is noise)."
                : $"Colour scale {G(range.Value.Low)} to {G(range.Value.High)}: 2nd to 98th percentile of the modules; modules beyond it take the end colour.";
            sections.Add(new($"Maps: {q.Title} per module (MAP_{q.Name})", figures, 2, scale));
        }
        return sections;
    }

    private static string Capital(string text) => char.ToUpperInvariant(text[0]) + text[1..];
    private static string G(double x) => SummaryText.G(x);
}
