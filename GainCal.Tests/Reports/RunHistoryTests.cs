using GainCal.Detector;
using GainCal.Reports;
using GainCal.Results;

namespace GainCal.Tests.Reports;

/// <summary>Trends across runs on tables whose per-layer values are known exactly.</summary>
public class RunHistoryTests
{
    private static readonly DetId A = DetId.BPix(1, 1, 1), B = DetId.BPix(1, 2, 1), Disk = DetId.FPix(2, 1, 3, 1);

    /// <summary>Gain 100 + run in A, 110 + run in B, 90 in the disk module; pedestal 20 + run everywhere.</summary>
    private static PixelTable Run(uint run, bool deadRoc)
    {
        var t = SyntheticTables.Modules(run, [A, B, Disk]);
        for (var i = 0; i < t.RowCount; i++)
        {
            var id = t[i].DetId;
            t.Gain[i] = id == A.Raw ? 100 + run : id == B.Raw ? 110 + run : 90;
            t.Pedestal[i] = 20 + run;
        }
        if (deadRoc) SyntheticTables.KillRoc(t, A, 3, -7);
        return t;
    }

    [Fact]
    public void Each_run_gives_the_mean_over_the_modules_of_each_layer_and_disk_ring()
    {
        var points = RunHistory.Of([SummaryBuilder.Build(Run(3, deadRoc: true)), SummaryBuilder.Build(Run(1, deadRoc: false))]);
        HistoryPoint Get(uint run, string q, string group) => points.Single(p => p.Run == run && p.Quantity == q && p.GroupName == group);
        Assert.Equal(1u, points[0].Run);
        Assert.Equal((106.0, 5.0, 2L), (Get(1, "Gain", "L1").Value.Mean, Get(1, "Gain", "L1").Value.Rms, Get(1, "Gain", "L1").Value.Count));
        Assert.Equal(108.0, Get(3, "Gain", "L1").Value.Mean, 9);
        Assert.Equal(90.0, Get(3, "Gain", "D+1 R1").Value.Mean, 9);
        Assert.Equal(23.0, Get(3, "Pedestal", "L1").Value.Mean, 9);
        // One dead ROC (4,160 of 66,560 pixels) in A: A 0.9375, B 1.
        Assert.Equal(1.0, Get(1, "frac_good_fit", "L1").Value.Mean);
        Assert.Equal((1 + 0.9375) / 2, Get(3, "frac_good_fit", "L1").Value.Mean, 12);
        Assert.Equal(0.03125, Get(3, "frac_good_fit", "L1").Value.Rms, 12);
        Assert.Equal(220.0, Get(1, "GainSaturate", "L1").Value.Mean, 9);
        Assert.Equal(12.0, Get(1, "GainNPoints", "D+1 R1").Value.Mean, 9);
        Assert.Equal(["Gain", "Pedestal", "GainSaturate", "GainLowPoint", "GainHighPoint", "GainNPoints", "frac_good_fit"], RunHistory.Quantities.Select(q => q.Name));
        Assert.DoesNotContain(points, p => p.GroupName == "L2");
        Assert.Contains("3,Gain,L1,2,108,5\n", RunHistory.Csv(points));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Gaincal_history_reads_tables_and_stored_summaries_and_writes_csv_and_plots()
    {
        using var dir = new TempDirectory();
        Run(1, false).Write(dir.File("run1.parquet"));
        Run(2, false).Write(dir.File("run2.parquet"));
        Directory.CreateDirectory(dir.File("GainRun_3"));
        Run(3, true).Write(dir.File("GainRun_3/GainCalibration.parquet"));
        var stored = SummaryReport.Write(SummaryBuilder.Build(Run(4, false)), dir.File("GainRun_4/summary"), "test");
        var r = ReportCommandTests.Gaincal("history", dir.File("run2.parquet"), dir.File("run1.parquet"), dir.File("GainRun_3"), dir.File("GainRun_4"),
            "-o", dir.File("h"));
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("4 runs (1, 2, 3, 4)", r.Out);
        var csv = File.ReadAllLines(dir.File("h/history.csv"));
        Assert.Contains("2,Gain,L1,2,107,5", csv);
        Assert.Contains("4,Gain,L1,2,109,5", csv);
        Assert.Contains("3,frac_good_fit,L1,2,0.96875,0.03125", csv);
        foreach (var q in RunHistory.Quantities)
        {
            Assert.True(new FileInfo(dir.File($"h/HISTORY_{q.Name}_barrel.png")).Length > 5000, q.Name);
            Assert.True(File.Exists(dir.File($"h/HISTORY_{q.Name}_fpix_ring1.png")), q.Name);
            Assert.False(File.Exists(dir.File($"h/HISTORY_{q.Name}_fpix_ring2.png")), "no ring-2 module in these runs");
        }
        Assert.Contains(stored.Data, r.Err);

        var twice = ReportCommandTests.Gaincal("history", dir.File("run1.parquet"), dir.File("run1.parquet"));
        Assert.Equal(1, twice.Code);
        Assert.Contains("run 1 is given twice", twice.Err);
    }
}
