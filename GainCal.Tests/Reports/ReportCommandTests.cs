using System.Diagnostics;
using GainCal.Detector;
using GainCal.Reports;

namespace GainCal.Tests.Reports;

/// <summary>The report commands run as the operator runs them: the gaincal executable in its own process.</summary>
public class ReportCommandTests
{
    internal static (int Code, string Out, string Err) Gaincal(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "gaincal.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, output.Result, error.Result);
    }

    [Fact]
    public void Help_explains_each_command()
    {
        foreach (var (command, words) in new[] { ("summary", "gain_summary.pdf"), ("summary", "--pdf-only"), ("summary", "--reference"), ("twiki", "tar.gz"),
                     ("compare", "recovered"), ("pixel", "FED/link/ROC/row/col"), ("history", "make_EvolutionPlots.cc") })
        {
            var (code, output, _) = Gaincal(command, "--help");
            Assert.Equal(0, code);
            Assert.Contains(words, output);
        }
    }

    [Fact]
    public void Bad_inputs_give_one_line_errors_and_exit_code_1()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("junk.parquet"), "not parquet");
        var cases = new[]
        {
            (new[] { "summary", dir.File("none.parquet") }, "none.parquet: no such results table"),
            (new[] { "summary", dir.File("junk.parquet") }, "not a GainCal results table"),
            (new[] { "summary", "1234" }, "--run-dir"),
            (new[] { "summary", "1234", "--run-dir", dir.Path }, "GainCalibration.parquet: no merged results table"),
            (new[] { "twiki", dir.Path }, "no summary directory"),
            (new[] { "compare", dir.File("none.parquet"), dir.File("junk.parquet") }, "no such results file"),
        };
        foreach (var (args, message) in cases)
        {
            var (code, _, error) = Gaincal(args);
            Assert.Equal(1, code);
            var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("gaincal: error:"));
            Assert.Contains(message, line);
        }
    }

    [Fact]
    public void Compare_of_a_run_number_without_a_cluster_names_what_compare_can_be_given()
    {
        var (code, _, error) = Gaincal("compare", "399990", "400001", "--node", "127.0.0.1:1");
        Assert.Equal(1, code);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("gaincal: error: run 399990: the cluster at 127.0.0.1:1 cannot be asked for the run's output directory " +
            "(give its results table (.parquet) instead of the run number, or start a node / point --node at one)", line);
        Assert.DoesNotContain("--run-dir", Gaincal("compare", "--help").Out);
    }

    [Fact]
    public void Help_states_each_default_once()
    {
        foreach (var command in new[] { "summary", "compare", "payload", "twiki", "vcal corrections", "vcal db" })
        {
            var (code, output, _) = Gaincal([.. command.Split(' '), "--help"]);
            Assert.Equal(0, code);
            foreach (var line in output.Split('\n').Where(l => l.Contains("[default: ")))
                Assert.DoesNotContain("(default", line);
        }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Summary_twiki_and_compare_run_end_to_end()
    {
        using var dir = new TempDirectory();
        var run = dir.File("Run_500");
        Directory.CreateDirectory(run);
        var t = SyntheticTables.Modules(500, [DetId.BPix(3, 10, 2), DetId.FPix(2, 2, 40, 1)]);
        t.Write(Path.Combine(run, "GainCalibration.parquet"));

        var summary = Gaincal("summary", "500", "--run-dir", run);
        Assert.True(summary.Code == 0, summary.Err);
        Assert.Contains("PDF:", summary.Out);
        Assert.Contains("summarising 133,120 pixels", summary.Err);
        Assert.True(File.Exists(Path.Combine(run, "summary", "gain_summary.pdf")));

        var twiki = Gaincal("twiki", run);
        Assert.True(twiki.Code == 0, twiki.Err);
        Assert.StartsWith("---++++ Run 500\n", twiki.Out);
        Assert.True(File.Exists(Path.Combine(run, "run500.tar.gz")));

        var compare = Gaincal("compare", Path.Combine(run, "GainCalibration.parquet"), Path.Combine(run, "GainCalibration.parquet"), "-o", dir.File("cmp"));
        Assert.True(compare.Code == 0, compare.Err);
        Assert.StartsWith("No difference", compare.Out);
        Assert.True(File.Exists(dir.File("cmp/gain_comparison_Run500-500.pdf")));
    }
}

public class ReportCommandFedTablesTests
{
    [Fact]
    public void Summary_of_a_run_reads_its_fed_tables_one_by_one_and_matches_the_merged_table()
    {
        using var dir = new TempDirectory();
        var fed = Directory.CreateDirectory(dir.File("run/fed")).FullName;
        var bpix = SyntheticTables.Modules(600, [DetId.BPix(2, 3, 4)], seed: 1);
        var fpix = SyntheticTables.Modules(600, [DetId.FPix(1, 2, 30, 2)], seed: 2);
        SyntheticTables.KillRoc(fpix, DetId.FPix(1, 2, 30, 2), 15, 0);
        bpix.Write(Path.Combine(fed, "1200.parquet"));
        fpix.Write(Path.Combine(fed, "1296.parquet"));

        var r = ReportCommandTests.Gaincal("summary", "600", "--run-dir", dir.File("run"));
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal(2, r.Err.Split('\n').Count(l => l.Contains("summarising 66,560 pixels")));
        var expected = SummaryText.Summary(SummaryBuilder.Build(GainCal.Results.PixelTable.Merge([bpix, fpix])));
        Assert.Equal(expected, File.ReadAllText(dir.File("run/summary/Summary_Run600.txt")));

        bpix.Write(Path.Combine(fed, "1201.parquet"));
        var twice = ReportCommandTests.Gaincal("summary", "600", "--run-dir", dir.File("run"));
        Assert.Equal(1, twice.Code);
        Assert.Contains("FED 1200 also appears in an earlier table", twice.Err);
    }
}
