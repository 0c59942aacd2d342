using System.Formats.Tar;
using System.IO.Compression;
using GainCal.Detector;
using GainCal.Reports;

namespace GainCal.Tests.Reports;

/// <summary>One summary (PDF, figures, logs) rendered for the class, since rendering takes seconds; each test
/// copies it into its own run directory and may change that copy.</summary>
public sealed class RenderedSummaryFixture : IDisposable
{
    public const uint Run = 412345;
    readonly TempDirectory _rendered = new();

    public RenderedSummaryFixture()
    {
        var t = SyntheticTables.Modules(Run, [DetId.BPix(1, 1, 1), DetId.FPix(1, 1, 1, 1)]);
        t.Write(_rendered.File(GainCal.Results.PixelTable.MergedFileName));
        SummaryReport.Write(SummaryBuilder.Build(t), _rendered.File(TwikiPackage.SummaryDirectory), "test");
    }

    public void CopyTo(string runDirectory)
    {
        foreach (var file in Directory.GetFiles(_rendered.Path, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(runDirectory, Path.GetRelativePath(_rendered.Path, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public void Dispose() => _rendered.Dispose();
}

public class TwikiPackageTests(RenderedSummaryFixture summary) : IClassFixture<RenderedSummaryFixture>
{
    const uint Run = RenderedSummaryFixture.Run;

    private static List<string> TarEntries(string tarball)
    {
        using var stream = File.OpenRead(tarball);
        using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        var names = new List<string>();
        while (reader.GetNextEntry() is { } e) names.Add(e.Name);
        return names;
    }

    [Fact]
    public void Packs_the_renamed_pdf_logs_and_data_but_not_the_pngs_and_prints_the_twiki_block()
    {
        using var dir = new TempDirectory();
        summary.CopyTo(dir.Path);
        File.WriteAllText(dir.File("config.json"), """{"run": 412345, "indir": "/store/Run_412345", "feds": [1200]}""");

        var r = TwikiPackage.Create(dir.Path, null, force: false, includeFigures: false);

        Assert.Equal(412345u, r.Run);
        Assert.Equal(dir.File("run412345.tar.gz"), r.Tarball);
        var entries = TarEntries(r.Tarball);
        Assert.Equal(["Summary_Run412345.json", "Summary_Run412345.txt", "badFitsROCs_Run412345.log", "gain_summary_Run412345.pdf",
            "highGainROCs_Run412345.log", "figs/"], entries);
        Assert.Equal(entries, r.TarEntries);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(r.Directory, "figs"), "*.png"));
        Assert.Equal(File.ReadAllBytes(dir.File("summary/gain_summary.pdf")), File.ReadAllBytes(Path.Combine(r.Directory, "gain_summary_Run412345.pdf")));
        Assert.StartsWith("---++++ Run 412345\n   * DMP Files : /store/Run_412345\n", r.Text);
        Assert.Contains("   * PDF summary : [[%ATTACHURL%/gain_summary_Run412345.pdf][gain_summary_Run412345.pdf]]\n", r.Text);
        Assert.Contains("[[%ATTACHURL%/run412345.tar.gz][run412345.tar.gz]]", r.Text);
    }

    [Fact]
    public void A_partial_run_says_so_first_in_the_twiki_block_and_a_whole_one_reads_as_before()
    {
        var partial = new GainCal.Results.RunCompleteness([1200, 1296], [1201], [1296], []);
        var lines = TwikiPackage.Text(7, "/in", "/out", partial).Split('\n');
        Assert.Equal("---++++ Run 7", lines[0]);
        Assert.Equal("   * %RED%partial run: 1 FED failed, 1 with warnings, 0 without a dump (2 of 3 FEDs merged)%ENDCOLOR%", lines[1]);
        Assert.Equal("      * failed FEDs, not merged: 1201", lines[2]);
        Assert.Equal("      * FEDs merged with warnings (dump not read whole and clean): 1296", lines[3]);
        Assert.Equal(TwikiPackage.Text(7, "/in", "/out"), TwikiPackage.Text(7, "/in", "/out", new GainCal.Results.RunCompleteness([1200], [], [], [])));
    }

    [Fact]
    public void Refuses_to_overwrite_without_force_and_can_include_the_figures()
    {
        using var dir = new TempDirectory();
        summary.CopyTo(dir.Path);
        TwikiPackage.Create(dir.Path, Run, force: false, includeFigures: false);
        var e = Assert.Throws<IOException>(() => TwikiPackage.Create(dir.Path, Run, force: false, includeFigures: false));
        Assert.Contains("use --force", e.Message);
        var r = TwikiPackage.Create(dir.Path, Run, force: true, includeFigures: true);
        Assert.Contains(TarEntries(r.Tarball), n => n.StartsWith($"figs/MAP_Gain_layer1_Run{Run}", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_summary_text_is_warned_about_and_a_missing_merged_table_refused_as_run_py_does()
    {
        using var dir = new TempDirectory();
        summary.CopyTo(dir.Path);
        File.Delete(dir.File($"summary/Summary_Run{Run}.txt"));

        var r = TwikiPackage.Create(dir.Path, null, force: false, includeFigures: false);
        Assert.Equal([$"{dir.File($"summary/Summary_Run{Run}.txt")}: missing; packed without it (rerun `gaincal summary` to write it)"], r.Warnings);
        Assert.DoesNotContain($"Summary_Run{Run}.txt", TarEntries(r.Tarball));
        Assert.Contains($"   * Merged Analyzed File : {dir.File("GainCalibration.parquet")}\n", r.Text);

        var cli = ReportCommandTests.Gaincal("twiki", dir.Path, "--force");
        Assert.True(cli.Code == 0, cli.Err);
        Assert.Contains($"gaincal twiki: warning: {dir.File($"summary/Summary_Run{Run}.txt")}: missing", cli.Err);
        var pngs = Directory.GetFiles(dir.File("summary"), "*.png").Length;
        Assert.Contains($"run{Run}.tar.gz: {5 + pngs} entries: Summary_Run{Run}.json, badFitsROCs_Run{Run}.log, gain_summary_Run{Run}.pdf, highGainROCs_Run{Run}.log, figs/ with {pngs} PNGs", cli.Err);

        File.Delete(dir.File("GainCalibration.parquet"));
        Directory.Delete(dir.File("twiki"), recursive: true);
        File.Delete(dir.File($"run{Run}.tar.gz"));
        cli = ReportCommandTests.Gaincal("twiki", dir.Path);
        Assert.Equal(1, cli.Code);
        Assert.Equal("", cli.Out);
        Assert.Contains($"gaincal: error: {dir.File("GainCalibration.parquet")}: no merged results table; run `gaincal merge {Run}` first", cli.Err);
        Assert.False(Directory.Exists(dir.File("twiki")));
        Assert.False(File.Exists(dir.File($"run{Run}.tar.gz")));
    }

    [Fact]
    public void Missing_summary_or_wrong_run_are_clear_errors()
    {
        using var dir = new TempDirectory();
        var missing = Assert.Throws<DirectoryNotFoundException>(() => TwikiPackage.Create(dir.Path, null, false, false));
        Assert.Contains("gaincal summary", missing.Message);
        summary.CopyTo(dir.Path);
        var wrong = Assert.Throws<FileNotFoundException>(() => TwikiPackage.Create(dir.Path, Run + 1, false, false));
        Assert.Contains($"summary_Run{Run + 1}.json", wrong.Message);
        Assert.False(Directory.Exists(dir.File("twiki")));
    }
}
