using GainCal.Calibration;
using GainCal.Results;
using GainCal.Simulation;

namespace GainCal.Tests.Simulation;

/// <summary>End-to-end: a simulated FED with planted truth, written as a real dump, read back and fitted.</summary>
public class SimulatedFedCalibrationTests
{
    private static readonly FedCalibrationSetup Setup = FedCalibrationSetup.Default;

    private static (FedTruth Truth, PixelTable Table, string Report) SimulateAndCalibrate(TempDirectory dir, int fed, SimulationOptions options, string name = "x")
    {
        var path = dir.File($"{name}/GainCalibration_{fed}_{options.Run}.dmp");
        var truth = FedSimulator.Write(path, fed, Setup, options);
        var outcome = new FedPipeline(Setup).Run(path);
        return (truth, outcome.Table, outcome.Report);
    }

    [Theory]
    [InlineData(1200)] // BPix layer-1 ROCs (direct row/column words) live on the first BPix FEDs of the synthetic map
    [InlineData(1296)] // FPix
    public void Noisy_FED_gives_back_the_planted_gains_and_flags_dead_pixels(int fed)
    {
        using var dir = new TempDirectory();
        var options = new SimulationOptions { Run = 7, Seed = fed, RocsPerFed = 3, DeadFraction = 0.01, NoisyFraction = 0.005, LowEfficiencyFraction = 0.005 };
        var (truth, table, _) = SimulateAndCalibrate(dir, fed, options);

        var cabling = Setup.Cabling.ForFed(fed);
        // The table holds whole modules (16 ROCs) like the reference's per-module maps; only the first ROCs were simulated.
        Assert.Equal(16 * FedTruth.PixelsPerRoc, table.RowCount);
        var relativeErrors = new List<double>();
        var pedestalErrors = new List<double>();
        var deadSeen = 0;
        for (var i = 0; i < table.RowCount; i++)
        {
            var row = table[i];
            var rocIndex = cabling.RocIndex(row.Link, row.Roc);
            if (rocIndex >= truth.RocCount)
            {
                Assert.Equal(0, row.Status);
                continue;
            }
            var t = FedTruth.IndexOf(rocIndex, row.RocRow, row.RocCol);
            switch (truth.Kind[t])
            {
                case PixelKind.Dead:
                    deadSeen++;
                    Assert.NotEqual(1, row.Status);
                    break;
                case PixelKind.Normal when row.Status == 1:
                    relativeErrors.Add(Math.Abs(row.Gain - truth.Gain[t]) / truth.Gain[t]);
                    pedestalErrors.Add(Math.Abs(row.Pedestal - truth.Pedestal[t]));
                    break;
            }
        }
        Assert.True(deadSeen > 50, $"only {deadSeen} dead pixels planted");
        Assert.True(relativeErrors.Count > 0.75 * truth.Kind.Length, $"only {relativeErrors.Count} of {truth.Kind.Length} simulated pixels fitted with status 1");
        Assert.True(Median(relativeErrors) < 0.02, $"median relative gain error {Median(relativeErrors):P2}");
        Assert.True(Median(pedestalErrors) < 1.0, $"median pedestal error {Median(pedestalErrors):F2} ADC");
    }

    [Fact]
    public void Garbage_between_events_is_skipped_and_gives_the_same_table_as_the_clean_dump()
    {
        using var dir = new TempDirectory();
        var clean = new SimulationOptions { Run = 3, Seed = 11, RocsPerFed = 2 };
        var (_, cleanTable, _) = SimulateAndCalibrate(dir, 1201, clean, "clean");
        var (_, dirtyTable, report) = SimulateAndCalibrate(dir, 1201, clean with { GarbageBursts = 25 }, "dirty");

        Assert.True(cleanTable.ContentEquals(dirtyTable));
        Assert.Contains("skip", report, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("GainCalibration_1201_3.dmp", report);
    }

    [Fact]
    public void Truncated_dump_keeps_the_patterns_read_before_the_cut_and_reports_it()
    {
        using var dir = new TempDirectory();
        var options = new SimulationOptions { Run = 4, Seed = 5, RocsPerFed = 2 };
        var (_, whole, _) = SimulateAndCalibrate(dir, 1296, options, "whole");
        var (_, cut, report) = SimulateAndCalibrate(dir, 1296, options with { TruncateAt = 0.5 }, "cut");

        Assert.Contains("trunc", report, StringComparison.OrdinalIgnoreCase);
        int fittedWhole = 0, fittedCut = 0, same = 0;
        for (var i = 0; i < whole.RowCount; i++)
        {
            if (whole[i].Status != 0) fittedWhole++;
            if (cut[i].Status == 0) continue;
            fittedCut++;
            if (cut[i] == whole[i]) same++;
        }
        // About half the patterns were complete before the cut; each of them is fitted exactly as in the whole file.
        Assert.InRange(fittedCut, fittedWhole * 0.4, fittedWhole * 0.6);
        Assert.Equal(fittedCut, same);
    }

    [Fact]
    public void Missing_events_are_reported_as_L1ID_gaps_and_shift_later_events_as_the_reference_does()
    {
        using var dir = new TempDirectory();
        var options = new SimulationOptions { Run = 5, Seed = 8, RocsPerFed = 2 };
        var (_, whole, _) = SimulateAndCalibrate(dir, 1202, options, "whole");
        var (_, gappy, report) = SimulateAndCalibrate(dir, 1202, options with { MissingEvents = 1 }, "gappy");

        Assert.Contains("L1ID", report);
        Assert.False(whole.ContentEquals(gappy));
    }

    [Fact]
    public void Decoding_with_several_pattern_shards_gives_the_same_table_and_counts_as_one_scanner()
    {
        using var dir = new TempDirectory();
        var path = dir.File("GainCalibration_1205_8.dmp");
        FedSimulator.Write(path, 1205, Setup, new SimulationOptions { Run = 8, Seed = 2, RocsPerFed = 4, GarbageBursts = 3 });
        var one = new FedPipeline(Setup, new FedPipelineOptions { Decoders = 1, FitThreads = 1 }).Run(path);
        var three = new FedPipeline(Setup, new FedPipelineOptions { Decoders = 3, FitThreads = 2 }).Run(path);
        Assert.True(one.Table.ContentEquals(three.Table));
        Assert.Equal(one.Report, three.Report);
        Assert.Equal(720, three.Progress.PatternsFitted);
        Assert.Equal(720, three.Progress.PatternsDecoded);
        Assert.Equal(one.Progress.PixelsFitted, three.Progress.PixelsFitted);
    }

    [Fact]
    public void A_custom_pattern_injecting_half_a_ROC_at_once_is_calibrated_like_the_reference_pattern()
    {
        // Two patterns of 80 rows x 26 columns: 2080 pixels per ROC per pattern, far more than the reference's 6.
        var pattern = new CalibrationPattern(CalibrationPattern.Default.VCalValues, 5,
            [Enumerable.Range(0, 26), Enumerable.Range(26, 26)], [Enumerable.Range(0, 80)]);
        var setup = Setup with { Pattern = pattern };
        using var dir = new TempDirectory();
        var path = dir.File("GainCalibration_1297_6.dmp");
        var truth = FedSimulator.Write(path, 1297, setup, new SimulationOptions { Run = 6, Seed = 4, RocsPerFed = 2 });
        var outcome = new FedPipeline(setup).Run(path);

        Assert.Equal(2, outcome.Progress.PatternsFitted);
        var cabling = setup.Cabling.ForFed(1297);
        var errors = new List<double>();
        foreach (var row in outcome.Table.Rows())
        {
            var rocIndex = cabling.RocIndex(row.Link, row.Roc);
            if (rocIndex >= truth.RocCount || row.Status != 1) continue;
            var t = FedTruth.IndexOf(rocIndex, row.RocRow, row.RocCol);
            if (truth.Kind[t] == PixelKind.Normal) errors.Add(Math.Abs(row.Gain - truth.Gain[t]) / truth.Gain[t]);
        }
        Assert.True(errors.Count > 0.9 * truth.Kind.Length, $"{errors.Count} of {truth.Kind.Length} pixels fitted with status 1");
        Assert.True(Median(errors) < 0.02, $"median relative gain error {Median(errors):P2}");
    }

    [Fact]
    public void A_dump_whose_headers_name_another_FED_than_its_file_name_is_calibrated_as_the_headers_FED_and_says_so()
    {
        using var dir = new TempDirectory();
        var path = dir.File("GainCalibration_1200_3.dmp");
        FedSimulator.Write(path, 1201, Setup, new SimulationOptions { Run = 3, Seed = 9, RocsPerFed = 2 });
        var outcome = new FedPipeline(Setup).Run(path);

        Assert.All(outcome.Table.Feds(), f => Assert.Equal(1201, f));
        Assert.True(outcome.PixelsFitted > 8000);
        Assert.Contains("file name says FED 1200", outcome.Report);
        Assert.Contains("GainCalibration_1200_3.dmp", outcome.Report);
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
