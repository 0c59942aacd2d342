using GainCal.Results;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace GainCal.Reports;

/// <summary>What <see cref="ComparisonReport.Write"/> produced.</summary>
public sealed record ComparisonOutputs(string Pdf, int Pages, IReadOnlyList<string> Plots, string Text, string Data, string Log);

/// <summary>
/// The comparison product: gain_comparison_Run&lt;A&gt;-&lt;B&gt;.pdf with its plots, comparison_Run&lt;A&gt;-&lt;B&gt;.txt
/// (verdict and the macro's diff-mode numbers), diff_badFits_Run&lt;A&gt;-&lt;B&gt;.log and the data as JSON.
/// </summary>
public static class ComparisonReport
{
    public static ComparisonOutputs Write(ComparisonSummary c, string directory, string sourceA, string sourceB, Action<string>? progress = null)
    {
        Directory.CreateDirectory(directory);
        var tag = $"Run{c.RunA}-{c.RunB}";
        var text = Path.Combine(directory, $"comparison_{tag}.txt");
        File.WriteAllText(text, Text(c, sourceA, sourceB));
        var log = Path.Combine(directory, $"diff_badFits_{tag}.log");
        File.WriteAllText(log, string.Concat(c.DiffLog.Select(l => l + "\n")));
        var data = Path.Combine(directory, $"comparison_{tag}.json");
        File.WriteAllText(data, JsonSerializer.Serialize(c, SummaryReport.Json));

        progress?.Invoke("plots");
        string P(string name) => Path.Combine(directory, name);
        var figures = new List<(string Section, List<ReportFigure> Figures, int Columns)>();
        var present = c.Parts.Where(p => p.Modules > 0).ToList();
        var names = present.Select(p => p.Name).ToList();

        var overview = new List<ReportFigure>();
        var gainBars = $"DIFF_GainPerPart_{tag}.png";
        ReportPlots.Bars(P(gainBars), $"Mean relative gain change, run {c.RunB} vs {c.RunA}", names,
            present.Select(p => 100 * p.RelativeGain.Mean).ToList(), present.Select(p => 100 * StandardError(p.RelativeGain)).ToList(),
            "gain(B)/gain(A) - 1 [%]", present.Select(p => p.GainChanged).ToList());
        overview.Add(new(gainBars, $"Per layer and disk/ring: mean gain(B) / mean gain(A) - 1 over pixels good in both runs, error bar = RMS of the per-pixel ratio / sqrt(pixels); red: beyond {100 * c.Tolerances.Gain:0.##} %."));
        var pedBars = $"DIFF_PedestalPerPart_{tag}.png";
        ReportPlots.Bars(P(pedBars), $"Mean pedestal change, run {c.RunB} vs {c.RunA}", names,
            present.Select(p => p.DeltaPedestal.Mean).ToList(), present.Select(p => StandardError(p.DeltaPedestal)).ToList(),
            "pedestal(B) - pedestal(A) [ADC]", present.Select(p => p.PedestalChanged).ToList());
        overview.Add(new(pedBars, $"Mean pedestal difference, error bar = RMS / sqrt(pixels); red: beyond {c.Tolerances.Pedestal} ADC."));
        var statusBars = $"DIFF_Status_{tag}.png";
        ReportPlots.StackedBars(P(statusBars), $"Fit status changes, run {c.RunB} vs {c.RunA}", names,
            [("lost (good in A, bad in B)", present.Select(p => RunSummary.Percent(p.Lost, p.Pixels)).ToArray()),
             ("recovered (bad in A, good in B)", present.Select(p => RunSummary.Percent(p.Recovered, p.Pixels)).ToArray())],
            "% of pixels");
        overview.Add(new(statusBars, "Pixels whose fit went from good to bad (lost) or bad to good (recovered), per part."));
        figures.Add(("Per layer and disk/ring", overview, 1));

        var pixels = new List<ReportFigure>();
        foreach (var (sub, index) in new[] { ("BPix", 0), ("FPix", 1) })
        {
            if (c.GainA[index].Entries + c.GainB[index].Entries == 0) continue;
            var gain = $"CMP_Gain{sub}_{tag}.png";
            ReportPlots.Histograms(P(gain), $"{sub} gain per pixel", "gain [electrons / ADC]",
                [($"run {c.RunA}", c.GainA[index]), ($"run {c.RunB}", c.GainB[index])], normalize: false, logY: true);
            pixels.Add(new(gain, $"{sub}: gain of the good pixels of each run (log scale)."));
            var ped = $"CMP_Pedestal{sub}_{tag}.png";
            ReportPlots.Histograms(P(ped), $"{sub} pedestal per pixel", "pedestal [ADC]",
                [($"run {c.RunA}", c.PedestalA[index]), ($"run {c.RunB}", c.PedestalB[index])], normalize: false, logY: true);
            pixels.Add(new(ped, $"{sub}: pedestal of the good pixels of each run (log scale)."));
        }
        foreach (var (sub, index) in new[] { ("BPix", 0), ("FPix", 1) })
        {
            if (c.RelativeGainHistogram[index].Entries == 0) continue;
            var rel = $"DIFF_RelativeGain{sub}_{tag}.png";
            ReportPlots.Histograms(P(rel), $"{sub}: gain(B)/gain(A) - 1 per pixel", "relative gain change",
                [(sub, c.RelativeGainHistogram[index])], normalize: false, logY: true);
            pixels.Add(new(rel, $"{sub}: relative gain change per pixel good in both runs (log scale)."));
            var ped = $"DIFF_Pedestal{sub}_{tag}.png";
            ReportPlots.Histograms(P(ped), $"{sub}: pedestal(B) - pedestal(A) per pixel", "pedestal change [ADC]",
                [(sub, c.DeltaPedestalHistogram[index])], normalize: false, logY: true);
            pixels.Add(new(ped, $"{sub}: pedestal change per pixel (log scale)."));
        }
        figures.Add(("Distributions per pixel", pixels, 2));

        var maps = new List<ReportFigure>();
        var values = c.ModuleList.Select(m => (m.DetId, 100 * m.MeanRelativeGain)).ToList();
        // At least twice the gain tolerance wide, so modules within tolerance do not look like structure.
        var range = RobustRange.Of(values.Select(v => v.Item2), 2, _ => 200 * c.Tolerances.Gain);
        for (var layer = 1; layer <= 4; layer++)
        {
            if (c.Parts[layer - 1].Modules == 0) continue;
            var file = $"DIFF_MAP_Gain_layer{layer}_{tag}.png";
            var (grid, extent) = ModuleMaps.Layer(layer, values);
            ReportPlots.Map(P(file), $"BPix layer {layer}: mean relative gain change", grid, extent, "module", "ladder", "%", range);
            maps.Add(new(file, $"BPix layer {layer}"));
        }
        foreach (var (side, sign) in new[] { (1, "-z"), (2, "+z") })
        {
            if (!c.ModuleList.Any(m => !DetectorPart.IsBPix(m.Part) && new Detector.DetId(m.DetId).Side == side)) continue;
            var file = $"DIFF_MAP_Gain_fpix{(side == 1 ? "minus" : "plus")}_{tag}.png";
            var (grid, extent) = ModuleMaps.Side(side, values);
            ReportPlots.Map(P(file), $"FPix {sign}: mean relative gain change", grid, extent, "blade (panel 2 right half)", "disk", "%",
                range, [ModuleMaps.RingBoundary]);
            maps.Add(new(file, $"FPix {sign}"));
        }
        figures.Add(("Maps: mean relative gain change per module [%]", maps, 2));

        progress?.Invoke("PDF");
        var pdf = new PdfReport($"Gain calibration comparison, runs {c.RunA} and {c.RunB}");
        pdf.Title($"Gain calibration comparison - run {c.RunB} vs run {c.RunA}", $"A: {sourceA}   B: {sourceB}   written {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC by GainCal");
        pdf.Heading("1 Verdict");
        foreach (var line in c.Verdict) pdf.Paragraph(line, bold: line.StartsWith("CHANGED", StringComparison.Ordinal));
        pdf.Paragraph($"Differences are B minus A (make_ComparisonPlots.cc plots A minus B). Tolerances: gain {100 * c.Tolerances.Gain:0.##} %, " +
            $"pedestal {c.Tolerances.Pedestal} ADC, status changes {100 * c.Tolerances.Status:0.###} % of a part's pixels.");
        pdf.Heading("2 Numbers");
        pdf.Table(["part", "mod.", "compared", "gain Δ", "RMS", "ped. Δ", "RMS", "lost", "recov.", "still bad"],
            present.Select(p => (IReadOnlyList<string>)[p.Name, p.Modules.ToString(CultureInfo.InvariantCulture), N(p.Compared),
                Pct(p.RelativeGain.Mean), Pct(p.RelativeGain.Rms), F(p.DeltaPedestal.Mean), F(p.DeltaPedestal.Rms), N(p.Lost), N(p.Recovered),
                N(p.StillBad)]).ToList(), [1.8, 0.7, 1.6, 1.6, 1.5, 1.4, 1.2, 1.0, 1.1, 1.2], i => present[i].Changed);
        pdf.Preformatted(ReferenceLines(c).Split('\n'));
        var commonPixels = (long)c.CommonModules * RunSummary.PixelsPerModule;
        pdf.Paragraph($"Good fits ({GoodFit.Definition}; the count merge, summary and payload print) in the {c.CommonModules} common modules: " +
            $"run {c.RunA} {N(c.GoodFitA)} ({Pct1(c.GoodFitA, commonPixels)}), run {c.RunB} {N(c.GoodFitB)} ({Pct1(c.GoodFitB, commonPixels)}) of {N(commonPixels)} pixels.");
        pdf.Paragraph("Fit status of the pixels of the common modules in each run (compare_gain_calib.py's status table; absent pixels count as 0):");
        var (countA, countB) = StatusCounts(c);
        long totalA = countA.Sum(), totalB = countB.Sum();
        pdf.Table(["status", "meaning", $"run {c.RunA}", "%", $"run {c.RunB}", "%"],
            Enumerable.Range(0, RunSummary.StatusBins).Where(i => countA[i] + countB[i] > 0).Select(i =>
            {
                var status = RunSummary.StatusOfBin(i);
                return (IReadOnlyList<string>)[((int)status).ToString(CultureInfo.InvariantCulture),
                    Calibration.FitStatusText.Describe(status, Calibration.FitSettings.Production),
                    N(countA[i]), Pct1(countA[i], totalA), N(countB[i]), Pct1(countB[i], totalB)];
            }).ToList(), [1, 4, 2, 1.3, 2, 1.3]);
        var changedModules = c.ModuleList.Where(m => m.Changed).OrderByDescending(m => Math.Abs(m.MeanRelativeGain)).Take(30).ToList();
        if (changedModules.Count > 0)
        {
            pdf.Paragraph($"Modules beyond tolerance ({c.ModuleList.Count(m => m.Changed)}; largest gain changes first, at most 30):");
            pdf.Table(["module", "gain change", "ped. change", "lost", "recovered"],
                changedModules.Select(m => (IReadOnlyList<string>)[m.Name, Pct(m.MeanRelativeGain), F(m.MeanDeltaPedestal), N(m.Lost), N(m.Recovered)]).ToList(),
                [5, 1.5, 1.5, 1, 1]);
        }
        var number = 3;
        foreach (var (section, list, columns) in figures)
        {
            if (list.Count == 0) continue;
            pdf.NewPage();
            pdf.Heading($"{number++} {section}");
            pdf.Figures(list.Select(f => (P(f.FileName), f.Caption)).ToList(), columns);
        }
        var path = P($"gain_comparison_{tag}.pdf");
        var pages = pdf.PageCount;
        pdf.Save(path);
        return new ComparisonOutputs(path, pages, figures.SelectMany(f => f.Figures).Select(f => P(f.FileName)).ToList(), text, data, log);
    }

    /// <summary>Pixels per |status| in A (row sums of the transitions) and in B (column sums).</summary>
    public static (long[] A, long[] B) StatusCounts(ComparisonSummary c)
    {
        var a = new long[RunSummary.StatusBins];
        var b = new long[RunSummary.StatusBins];
        for (var i = 0; i < RunSummary.StatusBins; i++)
            for (var j = 0; j < RunSummary.StatusBins; j++)
            {
                a[i] += c.StatusTransitions[i][j];
                b[j] += c.StatusTransitions[i][j];
            }
        return (a, b);
    }

    private static string Pct1(long part, long total) => RunSummary.Percent(part, total).ToString("F2", CultureInfo.InvariantCulture) + " %";

    private static double StandardError(Moments m) => m.Count > 0 ? m.Rms / Math.Sqrt(m.Count) : double.NaN;

    private static string N(long x) => x.ToString("N0", CultureInfo.InvariantCulture);
    private static string F(double x) => double.IsFinite(x) ? x.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture) : "-";
    private static string Pct(double x) => double.IsFinite(x) ? (100 * x).ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture) + " %" : "-";

    /// <summary>The diff-mode lines of the macro's summary text.</summary>
    private static string ReferenceLines(ComparisonSummary c) =>
        $"Number of lost pixels we recovered: {c.Recovered}\n" +
        $"Number of good pixels we lost:      {c.Lost}\n" +
        $"Number of pixels still lost:        {c.StillBad}";

    public static string Text(ComparisonSummary c, string sourceA, string sourceB)
    {
        var b = new StringBuilder();
        b.Append($"Comparison of run {c.RunB} (B: {sourceB}) with run {c.RunA} (A: {sourceA}); differences are B - A\n\n");
        foreach (var line in c.Verdict) b.Append(line).Append('\n');
        b.Append('\n').Append($"Modules compared: {c.CommonModules}, only in A: {c.ModulesOnlyInA.Count}, only in B: {c.ModulesOnlyInB.Count}\n");
        b.Append($"Pixels matched: {c.Matched}, identical: {c.Identical}, compared (good in both): {c.Compared}\n");
        b.Append($"Good fits ({GoodFit.Definition}) in the common modules: run {c.RunA} {c.GoodFitA}, run {c.RunB} {c.GoodFitB} of {(long)c.CommonModules * RunSummary.PixelsPerModule}\n");
        b.Append(ReferenceLines(c)).Append("\n\n");
        var (countA, countB) = StatusCounts(c);
        long totalA = countA.Sum(), totalB = countB.Sum();
        b.Append(CultureInfo.InvariantCulture, $"{"Status",8} {"run " + c.RunA,16} {"run " + c.RunB,16}\n");
        for (var i = 0; i < RunSummary.StatusBins; i++)
            if (countA[i] + countB[i] > 0)
                b.Append(CultureInfo.InvariantCulture,
                    $"{(int)RunSummary.StatusOfBin(i),8} {countA[i],8} {RunSummary.Percent(countA[i], totalA),6:F2}% {countB[i],8} {RunSummary.Percent(countB[i], totalB),6:F2}%\n");
        b.Append('\n');
        b.Append($"{"part",-11} {"modules",7} {"compared",10} {"gain[%]",9} {"rms[%]",8} {"ped[ADC]",9} {"rms",7} {"lost",8} {"recov.",8} {"changed",7}\n");
        foreach (var p in c.Parts.Where(p => p.Modules > 0))
            b.Append(CultureInfo.InvariantCulture,
                $"{p.Name,-11} {p.Modules,7} {p.Compared,10} {100 * p.RelativeGain.Mean,9:F3} {100 * p.RelativeGain.Rms,8:F3} {p.DeltaPedestal.Mean,9:F3} {p.DeltaPedestal.Rms,7:F3} {p.Lost,8} {p.Recovered,8} {(p.Changed ? "yes" : "no"),7}\n");
        return b.ToString();
    }
}
