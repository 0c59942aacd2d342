using System.Globalization;
using System.Text.RegularExpressions;
using GainCal.Calibration;
using GainCal.Cli.Commands;
using GainCal.Dump;
using GainCal.Results;
using static GainCal.Tests.Cli.CalibrateCommandTests;

namespace GainCal.Tests.Cli;

/// <summary>What the operator sees for wrong input: one line in their words naming the option or file, and exit code 1.</summary>
public class OperatorInputTests
{
    private static void AssertOneLineError(string[] args, params string[] expected)
    {
        var (exit, _, err) = Gaincal(args);
        var command = string.Join(' ', args);
        Assert.True(exit == 1, $"{command}: exit {exit}: {err}");
        Assert.DoesNotContain("   at ", err);
        Assert.DoesNotContain("System.", err);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        foreach (var text in expected) Assert.True(line.Contains(text, StringComparison.Ordinal), $"{command}: '{line}' lacks '{text}'");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Invalid_cabling_files_name_the_file_and_line_for_calibrate_and_simulate()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("garbage.txt"), "hello world\n");
        File.WriteAllText(dir.File("unknown.txt"), "9999 1 BPix_BmO_SEC1_LYR1_LDR1F_MOD2 0-1\n");
        File.WriteAllText(dir.File("duplicate.txt"), "1200 2 BPix_BmI_SEC3_LYR1_LDR3F_MOD4 2-3\n1200 2 BPix_BmI_SEC4_LYR1_LDR3F_MOD3 0-1\n");
        Directory.CreateDirectory(dir.File("folder"));
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={dir.File("other.db")};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "CREATE TABLE T (X INTEGER)";
            cmd.ExecuteNonQuery();
        }
        GainCal.Payloads.VCalDb.Write(dir.File("vcal.db"), "v", new Dictionary<uint, GainCal.Payloads.VCalEntry> { [303042564] = new(47f, -60f) });
        var cases = new[]
        {
            ("other.db", new[] { "not a readable CMS conditions SQLite file", "no such table: TAG" }),
            ("vcal.db", new[] { "tag v holds SiPixelVCal, expected SiPixelFedCablingMap" }),
            ("garbage.txt", new[] { "line 1:", "found 2 fields" }),
            ("unknown.txt", new[] { "line 1:", "FED 9999 is not a pixel FED" }),
            ("duplicate.txt", new[] { "line 2:", "already cabled on line 1" }),
            ("nope.txt", new[] { "no such cabling file" }),
            ("folder", new[] { "is a directory, not a cabling file" }),
        };
        foreach (var (file, problem) in cases)
        {
            var cabling = dir.File(file);
            AssertOneLineError(["calibrate", dir.File("GainCalibration_1200_1.dmp"), "-o", dir.File("out"), "--cabling", cabling],
                ["gaincal: error: ", cabling, .. problem]);
            AssertOneLineError(["simulate", dir.File("run"), "--feds", "1200", "--cabling", cabling], ["gaincal: error: ", cabling, .. problem]);
        }
    }

    [Theory]
    [InlineData("--rocs-per-fed must be >= 1 (got -1)", "simulate", "{dir}", "--rocs-per-fed", "-1")]
    [InlineData("--rocs-per-fed must be >= 1 (got 0)", "simulate", "{dir}", "--rocs-per-fed", "0")]
    [InlineData("--dead-fraction must be between 0 and 1 (got 2)", "simulate", "{dir}", "--dead-fraction", "2")]
    [InlineData("--dead-fraction must be between 0 and 1 (got -1)", "simulate", "{dir}", "--dead-fraction", "-1")]
    [InlineData("--noisy-fraction must be between 0 and 1 (got 1.5)", "simulate", "{dir}", "--noisy-fraction", "1.5")]
    [InlineData("--low-efficiency-fraction must be between 0 and 1 (got -0.1)", "simulate", "{dir}", "--low-efficiency-fraction", "-0.1")]
    [InlineData("--truncate-at must be greater than 0 and less than 1 (got 0)", "simulate", "{dir}", "--truncate-at", "0")]
    [InlineData("--truncate-at must be greater than 0 and less than 1 (got -0.5)", "simulate", "{dir}", "--truncate-at", "-0.5")]
    [InlineData("--truncate-at must be greater than 0 and less than 1 (got 1.5)", "simulate", "{dir}", "--truncate-at", "1.5")]
    [InlineData("--garbage must be >= 0 (got -3)", "simulate", "{dir}", "--garbage", "-3")]
    [InlineData("--missing-events must be >= 0 (got -3)", "simulate", "{dir}", "--missing-events", "-3")]
    [InlineData("--rocs-per-fed must be >= 1 (got -1)", "demo", "--rocs-per-fed", "-1", "--dir", "{dir}")]
    [InlineData("--fit-threads must be >= 1 (got 0)", "calibrate", "{dir}/GainCalibration_1200_1.dmp", "-o", "{dir}", "--fit-threads", "0")]
    [InlineData("--fit-threads must be >= 1 (got -3)", "calibrate", "{dir}/GainCalibration_1200_1.dmp", "-o", "{dir}", "--fit-threads", "-3")]
    [InlineData("--nodes must be >= 1 (got 0)", "bench", "cluster", "--nodes", "0", "--dir", "{dir}")]
    [InlineData("--feds must be between 1 and 108 (got 0)", "bench", "cluster", "--feds", "0", "--dir", "{dir}")]
    [InlineData("--feds must be between 1 and 108 (got -2)", "bench", "cluster", "--feds", "-2", "--dir", "{dir}")]
    [InlineData("--feds must be between 1 and 108 (got 109)", "bench", "cluster", "--feds", "109", "--dir", "{dir}")]
    [InlineData("--rocs-per-fed: 'x' is not an integer", "simulate", "{dir}", "--rocs-per-fed", "x")]
    [InlineData("--run: '-5' is not a whole number >= 0", "simulate", "{dir}", "--run", "-5")]
    [InlineData("--dead-fraction: 'lots' is not a number", "simulate", "{dir}", "--dead-fraction", "lots")]
    [InlineData("--feds: 'abc' is not a FED id", "demo", "--feds", "abc", "--dir", "{dir}")]
    [InlineData("--run: 'x' is not a whole number >= 0", "twiki", "--run", "x")]
    public void Impossible_numbers_are_rejected_before_anything_runs(string message, params string[] args)
    {
        using var dir = new TempDirectory();
        var (exit, _, err) = Gaincal(args.Select(a => a.Replace("{dir}", dir.Path)).ToArray());
        Assert.True(exit == 1, $"exit {exit}: {err}");
        Assert.DoesNotContain("   at ", err);
        Assert.DoesNotContain("System.", err);
        Assert.Contains(message, err);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void Dead_rocs_must_be_simulated_rocs()
    {
        using var dir = new TempDirectory();
        AssertOneLineError(["simulate", dir.File("run"), "--feds", "1200", "--rocs-per-fed", "2", "--dead-roc", "1200:2"],
            "--dead-roc 1200:2: FED 1200 has ROC indices 0-1 in this simulation");
        AssertOneLineError(["simulate", dir.File("run"), "--feds", "1200", "--dead-roc", "9999:0"],
            "--dead-roc 9999:0: FED 9999 is not simulated (--feds 1200)");
        AssertOneLineError(["simulate", dir.File("run"), "--feds", "1200", "--dead-fraction", "0.6", "--noisy-fraction", "0.5"],
            "must add up to at most 1");
        Assert.False(Directory.Exists(dir.File("run")));
    }

    [Fact]
    public void Directories_and_files_in_the_wrong_place_are_named_as_such()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("folder"));
        File.WriteAllText(dir.File("file.txt"), "x");
        AssertOneLineError(["calibrate", dir.File("folder"), "-o", dir.File("out")], $"{dir.File("folder")}: is a directory, not a dump file");
        AssertOneLineError(["export", dir.File("folder"), "--csv", dir.File("x.csv")], $"{dir.File("folder")}: is a directory, not a results table");
        AssertOneLineError(["simulate", dir.File("file.txt"), "--feds", "1200"], $"{dir.File("file.txt")}: is a file, not a directory");
        AssertOneLineError(["simulate", dir.File("file.txt/run"), "--feds", "1200"], $"{dir.File("file.txt")} is a file, not a directory");
        AssertOneLineError(["demo", "--dir", dir.File("file.txt")], $"{dir.File("file.txt")}: is a file, not a directory");

        Assert.Equal(0, Gaincal("simulate", dir.File("run"), "--feds", "1200", "--rocs-per-fed", "1", "--no-truth").Exit);
        var dump = dir.File("run/GainCalibration_1200_1.dmp");
        AssertOneLineError(["calibrate", dump, "-o", dir.File("file.txt")], $"{dir.File("file.txt")}: is a file, not a directory");
        AssertOneLineError(["calibrate", dump, "-o", dir.File("file.txt/out")], $"{dir.File("file.txt")} is a file, not a directory");
        Assert.Equal(0, Gaincal("calibrate", dump, "-o", dir.File("out")).Exit);
        AssertOneLineError(["export", dir.File("out/fed/1200.parquet"), "--csv", dir.File("folder")], $"{dir.File("folder")}: is a directory, not a file");
    }

    [Fact]
    public void Demo_and_bench_cluster_refuse_a_directory_that_holds_an_earlier_run()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("journal.db"), "an earlier run");
        AssertOneLineError(["demo", "--feds", "1200", "--rocs-per-fed", "1", "--dir", dir.Path], $"--dir {dir.Path} is not empty");
        AssertOneLineError(["bench", "cluster", "--feds", "1", "--nodes", "1", "--dir", dir.Path], $"--dir {dir.Path} is not empty");
        Assert.Equal(["journal.db"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
        Assert.Contains("new or empty", Gaincal("demo", "--help").Out);
        Assert.Contains("new or empty", Gaincal("bench", "cluster", "--help").Out);
    }

    [Fact]
    public void Simulate_reports_the_bytes_it_wrote_not_the_directory_size()
    {
        using var dir = new TempDirectory();
        var run = dir.File("run");
        Assert.Equal(0, Gaincal("simulate", run, "--feds", "1200", "--rocs-per-fed", "2", "--no-truth").Exit);
        var second = Gaincal("simulate", run, "--feds", "1201", "--rocs-per-fed", "1", "-r", "7", "--no-truth");
        Assert.True(second.Exit == 0, second.Err);
        var written = new FileInfo(Path.Combine(run, "GainCalibration_1201_7.dmp")).Length;
        var reported = double.Parse(Regex.Match(second.Out, @"wrote 1 FED dump of run 7 \(([0-9.]+) MB\)").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Equal(Math.Round(written / 1e6, 1), reported);
        Assert.Contains($"{run} also holds 1 other dump", second.Out);
    }

    [Fact]
    public void Dump_without_hits_is_written_under_the_fed_of_its_fragment_headers()
    {
        using var dir = new TempDirectory();
        // No FED in the file name: only the fragment headers say FED 1201, and no event carries a hit.
        var dump = dir.File("nohits.dmp");
        using (var writer = new DumpWriter(dump, 5))
            for (uint e = 1; e <= 30; e++) writer.WriteEvent(e, 1201, []);

        Assert.Equal(0, CalibrateCommand.Run(dump, dir.File("out"), FedCalibrationSetup.Default, new FedPipelineOptions { FitThreads = 1 }, TextWriter.Null));
        Assert.Equal(["1201.parquet", "1201.patterns", "1201.txt"], Directory.GetFiles(dir.File("out/fed")).Select(Path.GetFileName).Order());
    }
}
