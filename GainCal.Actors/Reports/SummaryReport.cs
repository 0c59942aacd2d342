using GainCal.Results;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using GainCal.Calibration;

namespace GainCal.Reports;

/// <summary>What <see cref="SummaryReport.Write"/> produced.</summary>
/// <summary>The figure list of a summary, stored beside it so its PDF can be written again from the PNGs.</summary>
public sealed record SummaryFigures(string Source, IReadOnlyList<ReportSection> Sections, RunDrift? Drift = null, RunCompleteness? Completeness = null);

public sealed record SummaryOutputs(string Pdf, int Pages, IReadOnlyList<string> Plots, string Text, string Data, IReadOnlyList<string> Logs);

/// <summary>
/// The run summary product (the reference's run.py summary): gain_summary.pdf, its PNG plots, Summary_Run&lt;RUN&gt;.txt,
/// the badFitsROCs / highGainROCs logs and summary_Run&lt;RUN&gt;.json (the data model, for tools and the twiki tarball).
/// </summary>
public static class SummaryReport
{
    public const string PdfName = "gain_summary.pdf";
    public const int ListedModules = 25;
    public const int ListedRocs = 40;

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    public static string DataFileName(uint run) => $"summary_Run{run}.json";

    /// <param name="completeness">The merge's record of the run's FEDs: a partial run is named so, with its missing, failed and
    /// warned FEDs, at the top of the PDF's first page and of the text.</param>
    public static SummaryOutputs Write(RunSummary s, string directory, string source, Action<string>? progress = null, RunDrift? drift = null,
        RunCompleteness? completeness = null)
    {
        Directory.CreateDirectory(directory);
        var run = s.Run.ToString(CultureInfo.InvariantCulture);
        var text = Path.Combine(directory, $"Summary_Run{run}.txt");
        var gaps = completeness is { Partial: true } c ? string.Concat(new[] { c.Headline().ToUpperInvariant() }.Concat(c.Lines()).Select(l => l + "\n")) + "\n" : "";
        File.WriteAllText(text, gaps + SummaryText.Summary(s));
        var badLog = Path.Combine(directory, $"badFitsROCs_Run{run}.log");
        File.WriteAllText(badLog, SummaryText.BadFitRocLog(s));
        var highLog = Path.Combine(directory, $"highGainROCs_Run{run}.log");
        File.WriteAllText(highLog, SummaryText.HighGainRocLog(s));
        var data = Path.Combine(directory, DataFileName(s.Run));
        File.WriteAllText(data, JsonSerializer.Serialize(s, Json));

        var sections = SummaryPlots.Write(s, directory, progress);
        File.WriteAllText(Path.Combine(directory, FiguresFileName(s.Run)), JsonSerializer.Serialize(new SummaryFigures(source, sections, drift, completeness), Json));
        var (path, pages) = Pdf(s, directory, source, sections, drift, completeness, progress);
        var plots = sections.SelectMany(x => x.Figures).Select(f => Path.Combine(directory, f.FileName)).ToList();
        return new SummaryOutputs(path, pages, plots, text, data, [badLog, highLog]);
    }

    /// <summary>
    /// Writes the PDF again from what <see cref="Write"/> stored in <paramref name="directory"/> (summary_Run&lt;RUN&gt;.json,
    /// the figure list and the PNGs), without the tables: run.py summary -p.
    /// </summary>
    public static SummaryOutputs RewritePdf(string directory, uint? run, Action<string>? progress = null)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"{directory}: no such summary directory");
        var data = run is { } r ? Path.Combine(directory, DataFileName(r))
            : Directory.GetFiles(directory, "summary_Run*.json").Order(StringComparer.Ordinal).ToList() switch
            {
                [var only] => only,
                [] => throw new FileNotFoundException($"{directory}: no summary_Run<RUN>.json (write the summary once without --pdf-only)"),
                var many => throw new InvalidDataException($"{directory}: {many.Count} summary_Run<RUN>.json files; say which run"),
            };
        if (!File.Exists(data)) throw new FileNotFoundException($"{data}: no such summary data (write the summary once without --pdf-only)", data);
        var s = ReadData(data);
        var figuresFile = Path.Combine(directory, FiguresFileName(s.Run));
        if (!File.Exists(figuresFile)) throw new FileNotFoundException($"{figuresFile}: no such figure list (write the summary once without --pdf-only)", figuresFile);
        SummaryFigures figures;
        try { figures = JsonSerializer.Deserialize<SummaryFigures>(File.ReadAllText(figuresFile), Json) ?? throw new JsonException("empty"); }
        catch (JsonException e) { throw new InvalidDataException($"{figuresFile}: not a figure list written by this version ({e.Message})"); }
        var missing = figures.Sections.SelectMany(x => x.Figures).Select(f => Path.Combine(directory, f.FileName)).FirstOrDefault(f => !File.Exists(f));
        if (missing is not null) throw new FileNotFoundException($"{missing}: plot missing (write the summary again without --pdf-only)", missing);
        var (path, pages) = Pdf(s, directory, figures.Source, figures.Sections, figures.Drift, figures.Completeness, progress);
        var plots = figures.Sections.SelectMany(x => x.Figures).Select(f => Path.Combine(directory, f.FileName)).ToList();
        string run0 = s.Run.ToString(CultureInfo.InvariantCulture);
        return new SummaryOutputs(path, pages, plots, Path.Combine(directory, $"Summary_Run{run0}.txt"), data,
            [Path.Combine(directory, $"badFitsROCs_Run{run0}.log"), Path.Combine(directory, $"highGainROCs_Run{run0}.log")]);
    }

    public static string FiguresFileName(uint run) => $"summary_figures_Run{run}.json";

    /// <summary>Reads summary_Run&lt;RUN&gt;.json back; a file that is not one is a one-line error naming it.</summary>
    public static RunSummary ReadData(string path)
    {
        try { return JsonSerializer.Deserialize<RunSummary>(File.ReadAllText(path), Json) ?? throw new JsonException("empty"); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a summary written by this version ({e.Message})"); }
    }

    private static (string Path, int Pages) Pdf(RunSummary s, string directory, string source, IReadOnlyList<ReportSection> sections, RunDrift? drift,
        RunCompleteness? completeness, Action<string>? progress)
    {
        progress?.Invoke("PDF");
        var run = s.Run.ToString(CultureInfo.InvariantCulture);
        var pdf = new PdfReport($"Gain calibration summary, run {run}");
        pdf.Title($"Pixel gain calibration summary - run {run}",
            $"source: {source}   written {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC by GainCal");
        if (completeness is { Partial: true } gaps)
        {
            pdf.Paragraph(gaps.Headline().ToUpperInvariant(), bold: true);
            foreach (var line in gaps.Lines()) pdf.Paragraph(line, bold: true);
            pdf.Paragraph("Modules of failed FEDs and of FEDs without a dump are absent from every number and plot below; warned FEDs are in them.");
        }
        Numbers(pdf, s);
        if (drift is not null) Drifts(pdf, drift);
        Status(pdf, s);
        // The first plot section is the status chart, which belongs to section 2.
        pdf.Figures(sections[0].Figures.Select(f => (Path.Combine(directory, f.FileName), f.Caption)).ToList(), 1);
        Failing(pdf, s);
        var number = 4;
        foreach (var section in sections.Skip(1))
        {
            if (section.Figures.Count == 0) continue;
            pdf.NewPage();
            pdf.Heading($"{number++} {section.Title}");
            if (section.Note is not null) pdf.Paragraph(section.Note);
            pdf.Figures(section.Figures.Select(f => (Path.Combine(directory, f.FileName), f.Caption)).ToList(), section.Columns);
        }
        var path = Path.Combine(directory, PdfName);
        var pages = pdf.PageCount;
        pdf.Save(path);
        return (path, pages);
    }

    private static string G(double x) => SummaryText.G(x);
    private static string N(long x) => x.ToString("N0", CultureInfo.InvariantCulture);
    private static string P(long a, long n) => RunSummary.Percent(a, n).ToString("F3", CultureInfo.InvariantCulture) + " %";
    private static string MeanRms(Moments m) => $"{G(m.Mean)} ± {G(m.Rms)}";
    private static string MinMeanMax(Moments m) => $"{G(m.Min)} / {G(m.Mean)} / {G(m.Max)}";

    private static void Numbers(PdfReport pdf, RunSummary s)
    {
        pdf.Heading($"1 Summary of run {s.Run}");
        pdf.Paragraph($"Counted as the reference macro (make_ComparisonPlots.cc) counts: every module in the table has 66,560 pixels, a pixel missing " +
            $"from the table counts as status 0; a good fit has status > 0, |gain| <= {G(GoodFit.GainMax)} and |pedestal| <= {G(GoodFit.PedestalMax)}.");
        var rows = new List<IReadOnlyList<string>>
        {
            new[] { "Modules looked at", $"{s.Modules} of 1856", "" },
            new[] { "Pixels with good fit, all", $"{N(s.GoodFitPixels)} of {N(s.Pixels)}", P(s.GoodFitPixels, s.Pixels) },
            new[] { "Pixels with good fit, BPix", $"{N(s.BPixGoodFitPixels)} of {N(s.BPixPixels)}", P(s.BPixGoodFitPixels, s.BPixPixels) },
            new[] { "Pixels with good fit, FPix", $"{N(s.FPixGoodFitPixels)} of {N(s.FPixPixels)}", P(s.FPixGoodFitPixels, s.FPixPixels) },
            new[] { $"Pixels with gain > {G(GoodFit.GainMax)} or |ped| > {G(GoodFit.PedestalMax)}", N(s.OutlierPixels), P(s.OutlierPixels, s.Pixels) },
            new[] { $"Pixels with gain > {G(RunSummary.HighGainThreshold)}", N(s.HighGainPixels), P(s.HighGainPixels, s.Pixels) },
            new[] { $"Column halves with mean gain > {G(RunSummary.HighGainThreshold)}", N(s.HighGainColumns), "" },
            new[] { $"ROCs with mean gain > {G(RunSummary.HighGainThreshold)}", N(s.HighGainRocs), "" },
        };
        if (s.UnknownStatusPixels > 0) rows.Add(["Pixels with an unknown status code (counted bad)", N(s.UnknownStatusPixels), ""]);
        if (s.SkippedRows > 0) rows.Add(["Table rows skipped (not a Phase-1 module / row or column out of range)", N(s.SkippedRows), ""]);
        pdf.Table(["Quantity", "Value", "Fraction"], rows, [5, 3, 1.5]);
        var stats = new List<IReadOnlyList<string>>();
        foreach (var (name, sub) in new[] { ("BPix", 0), ("FPix", 1) })
        {
            stats.Add([$"{name} gain [e/ADC]", MeanRms(s.Gain[sub]), MinMeanMax(s.FittedGain[sub])]);
            stats.Add([$"{name} error on 1/gain", MeanRms(s.GainError[sub]), ""]);
            stats.Add([$"{name} pedestal [ADC]", MeanRms(s.Pedestal[sub]), MinMeanMax(s.FittedPedestal[sub])]);
            stats.Add([$"{name} error on pedestal", MeanRms(s.PedestalError[sub]), ""]);
        }
        pdf.Table(["Quantity", "mean ± RMS (good fits)", "min / mean / max (status > 0)"], stats, [3, 3, 4]);
    }

    private static void Drifts(PdfReport pdf, RunDrift d)
    {
        pdf.Paragraph($"Drift since the reference calibration, run {d.ReferenceRun} ({d.CommonModules} modules in both; thresholds: gain " +
            $"{100 * d.Thresholds.Gain:0.##} %, pedestal {d.Thresholds.Pedestal:0.##} ADC, bad-fit fraction {100 * d.Thresholds.BadFitFraction:0.###} % of pixels):", bold: true);
        foreach (var line in d.Lines) pdf.Paragraph(line);
        static string Pct(double x) => double.IsFinite(x) ? (100 * x).ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture) + " %" : "-";
        static string Adc(double x) => double.IsFinite(x) ? x.ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture) : "-";
        pdf.Table(["part", "modules", "gain", "pedestal [ADC]", "bad fits"],
            d.Groups.Select(g => (IReadOnlyList<string>)[g.Name, g.Modules.ToString(CultureInfo.InvariantCulture), Pct(g.Gain), Adc(g.Pedestal), Pct(g.BadFitFraction)]).ToList(),
            [2, 1.2, 1.5, 1.5, 1.5], i => d.Groups[i].Beyond);
        var modules = d.Modules.Where(m => m.Beyond).OrderByDescending(m => Math.Abs(m.Gain)).Take(ListedModules).ToList();
        if (modules.Count > 0)
            pdf.Table(["module beyond a threshold", "gain", "pedestal [ADC]", "bad fits"],
                modules.Select(m => (IReadOnlyList<string>)[m.Name, Pct(m.Gain), Adc(m.Pedestal), Pct(m.BadFitFraction)]).ToList(), [5, 1.5, 1.5, 1.5]);
    }

    private static void Status(PdfReport pdf, RunSummary s)
    {
        pdf.Heading("2 Fit status");
        var rows = Enumerable.Range(0, RunSummary.StatusBins).Select(i =>
        {
            var status = RunSummary.StatusOfBin(i);
            return (IReadOnlyList<string>)[i.ToString(CultureInfo.InvariantCulture), ((int)status).ToString(CultureInfo.InvariantCulture),
                FitStatusText.Describe(status, FitSettings.Production), (int)status > 0 ? "good" : "bad", N(s.StatusCounts[i]), P(s.StatusCounts[i], s.Pixels)];
        });
        pdf.Table(["|status|", "status", "meaning", "use", "pixels", "fraction"], rows.ToList(), [1, 1, 4.5, 1, 2, 1.6]);
        pdf.Paragraph("Per layer and per FPix disk and ring (both sides): percentage of the part's pixels with each status.");
        var header = new List<string> { "part", "mod.", "good %" };
        header.AddRange(Enumerable.Range(0, RunSummary.StatusBins).Select(i => ((int)RunSummary.StatusOfBin(i)).ToString(CultureInfo.InvariantCulture)));
        var partRows = s.Parts.Where(p => p.Modules > 0).Select(p =>
        {
            var row = new List<string> { p.Name, p.Modules.ToString(CultureInfo.InvariantCulture),
                RunSummary.Percent(p.GoodFitPixels, p.Pixels).ToString("F2", CultureInfo.InvariantCulture) };
            row.AddRange(p.StatusCounts.Select(c => RunSummary.Percent(c, p.Pixels).ToString("F2", CultureInfo.InvariantCulture)));
            return (IReadOnlyList<string>)row;
        }).ToList();
        pdf.Table(header, partRows, [2.2, 0.9, 1.3, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1]);
        var stats = s.Parts.Where(p => p.Modules > 0).Select(p => (IReadOnlyList<string>)[p.Name, MeanRms(p.Gain), MinMeanMax(p.Gain), MeanRms(p.Pedestal)]).ToList();
        pdf.Table(["part", "gain mean ± RMS", "gain min / mean / max", "pedestal mean ± RMS"], stats, [2, 3, 4, 3]);
    }

    private static void Failing(PdfReport pdf, RunSummary s)
    {
        pdf.NewPage();
        pdf.Heading("3 Modules and ROCs with the most failed fits");
        var modules = s.ModuleList.Where(m => m.BadFits > 0).OrderByDescending(m => m.BadFits).Take(ListedModules).ToList();
        if (modules.Count == 0) pdf.Paragraph("No module has a failed fit.");
        else
        {
            pdf.Paragraph($"Modules with the most bad fits (status <= 0 or absent), {modules.Count} of {s.ModuleList.Count(m => m.BadFits > 0)} with any:");
            pdf.Table(["module", "detid", "bad fits", "fraction", "gain", "pedestal"],
                modules.Select(m => (IReadOnlyList<string>)[m.Name, m.DetId.ToString(CultureInfo.InvariantCulture), N(m.BadFits),
                    P(m.BadFits, RunSummary.PixelsPerModule), G(m.MeanGain), G(m.MeanPedestal)]).ToList(), [5, 2, 1.5, 1.5, 1.4, 1.4]);
        }
        var rocs = s.Rocs.Where(r => r.BadFits > 0).Take(ListedRocs).ToList();
        if (rocs.Count == 0) { pdf.Paragraph("No ROC has a failed fit."); return; }
        pdf.Paragraph($"ROCs with the most bad fits, {rocs.Count} of {s.Rocs.Count(r => r.BadFits > 0)} with any. ROC = col/52 + 8*(row/80) in module " +
            "coordinates (the macro's numbering); FED/link/ROC is the online address from the table. A fully failed ROC (4160 pixels) is " +
            "marked dead and highlighted; the reference's badFitsROCs log leaves those out and lists ROCs with more than 100 bad fits.");
        pdf.Table(["module", "ROC", "FED/link/ROC", "bad fits", "state", "high"],
            rocs.Select(r => (IReadOnlyList<string>)[r.ModuleName, r.Position.ToString(CultureInfo.InvariantCulture),
                r.Fed < 0 ? "not in table" : $"{r.Fed}/{r.Link}/{r.Roc}", N(r.BadFits), r.Dead ? "dead" : r.InReferenceBadFitLog ? "in log" : "",
                N(r.HighGain)]).ToList(), [5, 0.8, 2.2, 1.3, 1.2, 1.2], i => rocs[i].Dead);
    }
}
