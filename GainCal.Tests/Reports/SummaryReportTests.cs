using GainCal.Detector;
using GainCal.Reports;
using PdfSharp.Pdf.IO;

namespace GainCal.Tests.Reports;

public class SummaryReportTests
{
    [Fact]
    public void Pdf_renders_every_page_with_content_and_names_the_dead_roc()
    {
        Poppler.RequireOrSkip();
        var dead = DetId.BPix(2, 17, 6);
        var modules = new[] { DetId.BPix(1, 1, 1), dead, DetId.BPix(4, 40, 3), DetId.FPix(1, 3, 50, 2), DetId.FPix(2, 1, 3, 1) };
        var t = SyntheticTables.Modules(400123, modules);
        SyntheticTables.KillRoc(t, dead, 11, 0, -7);
        var summary = SummaryBuilder.Build(t);
        using var dir = new TempDirectory();
        var outputs = SummaryReport.Write(summary, dir.Path, "synthetic table");

        using (var doc = PdfReader.Open(outputs.Pdf, PdfDocumentOpenMode.Import))
            Assert.Equal(outputs.Pages, doc.PageCount);
        Assert.InRange(outputs.Pages, 8, 40);
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
