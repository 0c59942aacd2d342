using GainCal.Calibration;
using GainCal.Cli.Commands;
using GainCal.Detector;
using GainCal.Dump;
using GainCal.Results;
using GainCal.Simulation;
using GainCal.Tests.Reports;

namespace GainCal.Tests.Calibration;

/// <summary>
/// One pixel's curve read back from its pattern window: it must give the fit the whole-dump calibration wrote to the
/// table, bit for bit, and the index must hold the byte offsets at which the reader saw each pattern's first event.
/// </summary>
public class PixelCurveReaderTests
{
    internal static (TempDirectory Dir, string Dump, PixelTable Table, FedTruth Truth) Calibrated()
    {
        var dir = new TempDirectory();
        var dump = dir.File("GainCalibration_1200_9.dmp");
        var truth = FedSimulator.Write(dump, 1200, FedCalibrationSetup.Default, new SimulationOptions { Run = 9, Seed = 3, RocsPerFed = 3 });
        Assert.Equal(0, CalibrateCommand.Run(dump, dir.File("out"), FedCalibrationSetup.Default, new FedPipelineOptions { FitThreads = 1 }, TextWriter.Null));
        return (dir, dump, PixelTable.Read(dir.File("out/fed/1200.parquet")), truth);
    }

    [Fact]
    public void The_index_holds_the_offset_of_every_patterns_first_event()
    {
        var (dir, dump, _, _) = Calibrated();
        using var _d = dir;
        var pattern = FedCalibrationSetup.Default.Pattern;
        var index = PatternIndex.Read(dir.File("out/fed/1200.patterns"), pattern.PatternCount);
        Assert.Equal(9u, index.Run);
        Assert.Equal(new FileInfo(dump).Length, index.DumpLength);
        Assert.Equal(Path.GetFullPath(dump), index.DumpPath);
        var seen = 0;
        using var reader = new DumpReader(dump);
        while (reader.TryReadEvent(out var ev))
        {
            if (ev.Index % pattern.EventsPerPattern != 0 || ev.Index >= pattern.ExpectedEvents) continue;
            Assert.Equal(ev.Offset, index[(int)(ev.Index / pattern.EventsPerPattern)]);
            seen++;
        }
        Assert.Equal(pattern.PatternCount, seen);
    }

    [Fact]
    public void A_pixel_read_from_its_window_has_the_tables_fit_and_its_planted_gain()
    {
        var (dir, dump, table, truth) = Calibrated();
        using var _d = dir;
        var setup = FedCalibrationSetup.Default;
        var index = PatternIndex.Read(dir.File("out/fed/1200.patterns"), setup.Pattern.PatternCount);
        var rows = Enumerable.Range(0, table.RowCount).Select(i => table[i]).Where(r => r.Status != 0).ToList();
        var rng = new Random(4);
        var checkedGood = 0;
        foreach (var row in rows.OrderBy(_ => rng.Next()).Take(25).Concat(rows.Where(r => r.Status < 0).Take(3)))
        {
            var pixel = PixelCurveReader.Locate(setup, row.Fed, row.Link, row.Roc, row.RocRow, row.RocCol);
            Assert.Equal((row.DetId, row.ModuleRow, row.ModuleCol), (pixel.Module.Raw, pixel.ModuleRow, pixel.ModuleCol));
            Assert.Equal(pixel, PixelCurveReader.Locate(setup, pixel.Module, row.ModuleRow, row.ModuleCol));
            var curve = PixelCurveReader.Read(dump, index, setup, pixel);
            var f = curve.Fit;
            Assert.Equal(setup.Pattern.EventsPerPattern, curve.Events);
            Assert.True(curve.WindowBytes < new FileInfo(dump).Length / setup.Pattern.PatternCount * 3, "read more than the pattern's window");
            Assert.Equal((row.Status, row.Gain, row.Pedestal, row.Chi2Ndf, row.Points, row.Plateau, row.LowPoint, row.HighPoint),
                ((int)f.Status, f.Gain, f.Pedestal, f.Chi2Ndf, (int)f.Points, f.Plateau, f.LowPoint, f.HighPoint));
            var selected = curve.Points.Where(p => p.Selected).ToList();
            if (row.Status > 0)
            {
                Assert.Equal(row.Points, selected.Count);
                Assert.Equal(row.LowPoint, (float)selected[0].Charge);
                Assert.Equal(row.HighPoint, (float)selected[^1].Charge);
                // Each point's mean is its hits' mean: 5 repeats per VCal point in the reference pattern.
                Assert.All(selected, p => Assert.Equal(setup.Pattern.Repeat, p.Entries));
                var rocIndex = setup.Cabling.ForFed(1200).RocIndex(row.Link, row.Roc);
                var planted = truth.Gain[FedTruth.IndexOf(rocIndex, row.RocRow, row.RocCol)];
                if (truth.Kind[FedTruth.IndexOf(rocIndex, row.RocRow, row.RocCol)] == PixelKind.Normal)
                {
                    Assert.InRange(row.Gain, planted * 0.8, planted * 1.2);
                    checkedGood++;
                }
            }
        }
        Assert.True(checkedGood >= 10, $"only {checkedGood} normal pixels checked");
    }

    [Fact]
    public void Gaincal_pixel_answers_by_online_and_offline_address_and_refuses_without_an_index()
    {
        var (dir, _, table, _) = Calibrated();
        using var _d = dir;
        var row = Enumerable.Range(0, table.RowCount).Select(i => table[i]).First(r => r.Status == 1);
        var online = ReportCommandTests.Gaincal("pixel", dir.File("out"), $"{row.Fed}/{row.Link}/{row.Roc}/{row.RocRow}/{row.RocCol}");
        Assert.True(online.Code == 0, online.Err);
        var offline = ReportCommandTests.Gaincal("pixel", dir.File("out"), $"{row.DetId}/{row.ModuleRow}/{row.ModuleCol}", "-o", dir.File("p2"));
        Assert.True(offline.Code == 0, offline.Err);
        var name = $"pixel_{row.Fed}_{row.Link}_{row.Roc}_{row.RocRow}_{row.RocCol}";
        Assert.Equal(File.ReadAllText(dir.File($"out/pixels/{name}.csv")), File.ReadAllText(dir.File($"p2/{name}.csv")));
        Assert.Contains($"status 1 (fit result OK), gain {row.Gain:G6} e/ADC", online.Out);
        Assert.True(new FileInfo(dir.File($"out/pixels/{name}.png")).Length > 5000);
        var csv = File.ReadAllLines(dir.File($"out/pixels/{name}.csv"));
        Assert.Equal(FedCalibrationSetup.Default.Pattern.PointCount + 1, csv.Length);
        Assert.Equal(row.Points, csv.Skip(1).Count(l => l.EndsWith(",1", StringComparison.Ordinal)));

        File.Delete(dir.File("out/fed/1200.patterns"));
        var missing = ReportCommandTests.Gaincal("pixel", dir.File("out"), $"{row.Fed}/{row.Link}/{row.Roc}/{row.RocRow}/{row.RocCol}");
        Assert.Equal(1, missing.Code);
        Assert.Contains("1200.patterns: no pattern index", missing.Err);
        var bad = ReportCommandTests.Gaincal("pixel", dir.File("out"), "1200/1/2");
        Assert.Equal(1, bad.Code);
        Assert.Contains("is not a Phase-1 pixel module", bad.Err);
    }
}
