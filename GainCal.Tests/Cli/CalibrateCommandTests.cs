using GainCal.Cli.Commands;
using GainCal.Results;

namespace GainCal.Tests.Cli;

/// <summary>The `gaincal` executable itself, run as a real process on real files.</summary>
public class CalibrateCommandTests
{
    internal static (int Exit, string Out, string Err) Gaincal(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "gaincal.dll");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void Simulate_calibrate_export_round_trip_through_the_command()
    {
        using var dir = new TempDirectory();
        var sim = Gaincal("simulate", dir.File("run"), "--run", "42", "--feds", "1296", "--rocs-per-fed", "2");
        Assert.True(sim.Exit == 0, sim.Err);
        var dump = dir.File("run/GainCalibration_1296_42.dmp");
        Assert.True(File.Exists(dump));
        Assert.True(File.Exists(dir.File("run/truth/1296.csv")));

        var cal = Gaincal("calibrate", dump, "-o", dir.File("out"));
        Assert.True(cal.Exit == 0, cal.Err);
        Assert.Contains("status   1", cal.Out);
        Assert.Contains("gain", cal.Out);
        var table = PixelTable.Read(dir.File("out/fed/1296.parquet"));
        Assert.Equal(16 * 4160, table.RowCount); // the whole module of the two simulated ROCs
        Assert.Equal(42u, table.Run);

        var csv = dir.File("pixels.csv");
        var export = Gaincal("export", dir.File("out/fed/1296.parquet"), "--csv", csv);
        Assert.True(export.Exit == 0, export.Err);
        var lines = File.ReadAllLines(csv);
        Assert.StartsWith("fed,link,roc,row,col,status,gain,pedestal,chi2,prob,npoints,plateau", lines[0]);
        Assert.Equal(table.RowCount + 1, lines.Length);
        var first = lines[1].Split(',');
        Assert.Equal(table[0].Gain, float.Parse(first[6], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Bad_inputs_get_one_clear_line_naming_the_file_and_a_non_zero_exit()
    {
        using var dir = new TempDirectory();
        var missing = Gaincal("calibrate", dir.File("GainCalibration_1200_1.dmp"), "-o", dir.File("out"));
        Assert.Equal(1, missing.Exit);
        Assert.Contains("GainCalibration_1200_1.dmp", missing.Err);
        Assert.DoesNotContain("   at ", missing.Err);

        File.WriteAllText(dir.File("GainCalibration_1200_2.dmp"), "definitely not a pixel dump, just some text to fill words");
        var junk = Gaincal("calibrate", dir.File("GainCalibration_1200_2.dmp"), "-o", dir.File("out"));
        Assert.Equal(1, junk.Exit);
        Assert.Contains("GainCalibration_1200_2.dmp", junk.Err);

        var wrongFed = Gaincal("simulate", dir.File("run"), "--feds", "1210");
        Assert.Equal(1, wrongFed.Exit);
        Assert.Contains("1210", wrongFed.Err);
    }

    [Fact]
    public void Export_header_lists_the_required_columns()
    {
        foreach (var column in "fed,link,roc,row,col,status,gain,pedestal,chi2,prob,npoints,plateau".Split(','))
            Assert.Contains(column, ExportCommand.Header.Split(','));
    }

    [Fact]
    public void A_dump_longer_than_the_pattern_is_calibrated_with_a_warning_naming_the_pattern()
    {
        using var dir = new TempDirectory();
        var sim = Gaincal("simulate", dir.File("run"), "--run", "43", "--feds", "1296", "--rocs-per-fed", "1", "--no-truth");
        Assert.True(sim.Exit == 0, sim.Err);
        var shortPattern = new GainCal.Calibration.CalibrationPattern([10, 20, 30, 40], 5,
            GainCal.Calibration.CalibrationPattern.Default.ColumnGroups, GainCal.Calibration.CalibrationPattern.Default.RowGroups);
        shortPattern.Save(dir.File("short.json"));

        var cal = Gaincal("calibrate", dir.File("run/GainCalibration_1296_43.dmp"), "-o", dir.File("out"), "--pattern", dir.File("short.json"));
        Assert.Equal(0, cal.Exit);
        Assert.Contains("has 104,400 events but the calibration pattern covers 14,400", cal.Err);
        Assert.Contains("--pattern", cal.Err);

        var plain = Gaincal("calibrate", dir.File("run/GainCalibration_1296_43.dmp"), "-o", dir.File("out2"));
        Assert.Equal(0, plain.Exit);
        Assert.DoesNotContain("warning", plain.Err);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Warnings_go_to_stderr_and_the_FED_report_and_strict_makes_them_an_exit_code()
    {
        using var dir = new TempDirectory();
        Assert.Equal(0, Gaincal("simulate", dir.File("cut"), "--run", "44", "--feds", "1296", "--rocs-per-fed", "1", "--truncate-at", "0.5").Exit);
        Assert.Equal(0, Gaincal("simulate", dir.File("whole"), "--run", "44", "--feds", "1296", "--rocs-per-fed", "1").Exit);
        var cut = dir.File("cut/GainCalibration_1296_44.dmp");

        var lenient = Gaincal("calibrate", cut, "-o", dir.File("out1"));
        Assert.Equal(0, lenient.Exit);
        var warning = Assert.Single(lenient.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"gaincal: warning: {cut}: FED 1296: dump truncated at byte ", warning);
        Assert.DoesNotContain("gaincal: warning", lenient.Out);
        var report = File.ReadAllText(dir.File("out1/fed/1296.txt"));
        Assert.Contains($"warning: {cut}: FED 1296: dump truncated", report);
        Assert.Contains("status: done-with-warnings (1 warning)", report);
        Assert.Contains("good fits", report); // the table's summary

        var strict = Gaincal("calibrate", cut, "-o", dir.File("out2"), "--strict");
        Assert.Equal(CalibrateCommand.StrictExitCode, strict.Exit);
        Assert.True(File.Exists(dir.File("out2/fed/1296.parquet")));
        // Tolerating the missing events is a setting: with a limit above them only the truncation itself warns.
        var tolerant = Gaincal("calibrate", cut, "-o", dir.File("out3"), "--strict", "--warn-missing-events", "200000");
        Assert.Equal(CalibrateCommand.StrictExitCode, tolerant.Exit);

        var whole = Gaincal("calibrate", dir.File("whole/GainCalibration_1296_44.dmp"), "-o", dir.File("out4"), "--strict");
        Assert.Equal(0, whole.Exit);
        Assert.Equal("", whole.Err);
        Assert.Contains("status: done\n", File.ReadAllText(dir.File("out4/fed/1296.txt")).Replace("\r", ""));

        var bad = Gaincal("calibrate", cut, "-o", dir.File("out5"), "--warn-off-pattern-fraction", "2");
        Assert.Equal(1, bad.Exit);
        Assert.Contains("between 0 and 1", bad.Err);
    }
}
