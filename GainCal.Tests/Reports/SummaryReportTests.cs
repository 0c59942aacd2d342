using GainCal.Detector;
using GainCal.Reports;
using PdfSharp.Pdf.IO;

namespace GainCal.Tests.Reports;

public class SummaryReportTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void Pdf_renders_every_page_with_content_and_names_the_dead_roc()
    {
        Poppler.RequireOrSkip();
        var dead = DetId.BPix(2, 17, 6);
        var modules = new[] { DetId.BPix(1, 1, 1), dead, DetId.BPix(3, 9, 2), DetId.BPix(4, 40, 3), DetId.FPix(1, 3, 50, 2), DetId.FPix(2, 1, 3, 1) };
        var t = SyntheticTables.Modules(400123, modules);
        SyntheticTables.KillRoc(t, dead, 11, 0, -7);
        // A fit of exactly two points has chi2/ndf = inf (domain.md 12): its module's mean is infinite and must still draw.
        t.Chi2Ndf[5] = float.PositiveInfinity;
        var summary = SummaryBuilder.Build(t);
        Assert.True(double.IsPositiveInfinity(summary.ModuleList[0].MeanChi2Ndf));
        using var dir = new TempDirectory();
        var outputs = SummaryReport.Write(summary, dir.Path, "synthetic table");

        using (var doc = PdfReader.Open(outputs.Pdf, PdfDocumentOpenMode.Import))
            Assert.Equal(outputs.Pages, doc.PageCount);
        Assert.InRange(outputs.Pages, 8, 60);
        // Nothing runs off a page: every word inside the page less 20 points (the margins are 50).
        Assert.Empty(Poppler.WordsOutside(outputs.Pdf, margin: 20));
        var render = Directory.CreateDirectory(dir.File("render")).FullName;
        var ink = Poppler.InkPerPage(outputs.Pdf, render);
        Assert.Equal(outputs.Pages, ink.Count);
        Assert.All(ink, f => Assert.True(f > 0.002, $"a page is blank ({f:P2} ink)"));

        var text = Poppler.Run("pdftotext", "-layout", outputs.Pdf, "-");
        Assert.Contains("Summary of run 400123", text);
        var line = text.Split('\n').First(l => l.Contains(dead.ModuleName) && l.Contains("dead"));
        Assert.Contains(" 11 ", line);
        Assert.Contains("4,160", line);
        Assert.All(outputs.Plots, p => Assert.True(new FileInfo(p).Length > 5000, p));
        Assert.Contains(outputs.Plots, p => p.EndsWith("MAP_Gain_layer2_Run400123.png"));
        // Every quantity of gain_summary_template.tex in each of its three forms, maps for every layer and both FPix sides.
        foreach (var q in SummaryQuantities.All)
        {
            var names = new[] { $"SUB_{q.Name}_whole", $"SUM_{q.Name}_whole", $"MAP_{q.Name}_layer1", $"MAP_{q.Name}_layer2", $"MAP_{q.Name}_layer3",
                $"MAP_{q.Name}_layer4", $"MAP_{q.Name}_fpixminus", $"MAP_{q.Name}_fpixplus" };
            foreach (var name in names) Assert.Contains(outputs.Plots, p => Path.GetFileName(p) == $"{name}_Run400123.png");
            Assert.Contains($"SUB_{q.Name}:", text);
            Assert.Contains($"SUM_{q.Name}:", text);
            Assert.Contains($"(MAP_{q.Name})", text.Replace("\n", " "));
        }
        foreach (var sub in new[] { "BPix", "FPix" })
            foreach (var c in new[] { "CorrelationGainPed", "ErrorVsGain", "ErrorVsPedestal", "CorrelationError" })
                Assert.Contains(outputs.Plots, p => Path.GetFileName(p) == $"TOT_{c}{sub}_Run400123.png");
        Assert.Equal("", File.ReadAllText(outputs.Logs[0]));
    }
}

public class SummaryReportEdgeTests
{
    [Fact]
    public void An_empty_table_gives_a_short_report_instead_of_a_crash()
    {
        var s = SummaryBuilder.Build(new GainCal.Results.PixelTable(77, 0));
        Assert.Equal(0, s.Modules);
        using var dir = new TempDirectory();
        var outputs = SummaryReport.Write(s, dir.Path, "empty");
        Assert.True(outputs.Pages >= 1);
        Assert.StartsWith("Looked @ 0 modules\nTotal number of pixels with good fit : 0 over 0 -> nan %", File.ReadAllText(outputs.Text));
    }
}

public class SummaryPdfOnlyTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void Pdf_only_writes_the_pdf_again_from_the_stored_summary_without_the_table()
    {
        using var dir = new TempDirectory();
        var t = SyntheticTables.Modules(400124, [DetId.BPix(1, 1, 1), DetId.FPix(2, 1, 3, 1)]);
        t.Write(dir.File("run.parquet"));
        var first = ReportCommandTests.Gaincal("summary", dir.File("run.parquet"));
        Assert.True(first.Code == 0, first.Err);
        var pdf = Path.Combine(dir.Path, "summary", SummaryReport.PdfName);
        var pages = int.Parse(System.Text.RegularExpressions.Regex.Match(first.Out, @"\((\d+) pages\)").Groups[1].Value);
        File.Delete(pdf);
        File.Delete(dir.File("run.parquet"));

        var again = ReportCommandTests.Gaincal("summary", dir.File("run.parquet"), "--pdf-only");
        Assert.True(again.Code == 0, again.Err);
        Assert.Contains($"({pages} pages, from ", again.Out);
        using (var doc = PdfSharp.Pdf.IO.PdfReader.Open(pdf, PdfSharp.Pdf.IO.PdfDocumentOpenMode.Import))
            Assert.Equal(pages, doc.PageCount);

        File.Delete(Path.Combine(dir.Path, "summary", "SUM_Gain_whole_Run400124.png"));
        var missing = ReportCommandTests.Gaincal("summary", dir.File("run.parquet"), "--pdf-only");
        Assert.Equal(1, missing.Code);
        Assert.Contains("SUM_Gain_whole_Run400124.png: plot missing", Assert.Single(missing.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("gaincal: error:")));
    }
}
