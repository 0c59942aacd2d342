using GainCal.Results;
using CsCheck;
using GainCal.Cluster;

namespace GainCal.Tests.Cluster;

public class PixelStatsTests
{
    static Moments Direct(double[] xs)
    {
        if (xs.Length == 0) return Moments.Empty;
        var mean = xs.Average();
        return new Moments(xs.Length, mean, xs.Sum(x => (x - mean) * (x - mean)), xs.Min(), xs.Max());
    }

    [Fact]
    public void Combined_moments_equal_the_moments_of_the_union() =>
        Gen.Double[-1e4, 1e4].Array[0, 50].Array[1, 6].Sample(parts =>
        {
            var combined = parts.Select(Direct).Aggregate(Moments.Empty, (a, b) => a.Combine(b));
            var all = Direct(parts.SelectMany(p => p).ToArray());
            Assert.Equal(all.Count, combined.Count);
            if (all.Count == 0) return;
            Assert.Equal(all.Mean, combined.Mean, 1e-9 * (1 + Math.Abs(all.Mean)));
            Assert.Equal(all.M2, combined.M2, 1e-9 * (1 + all.M2));
            Assert.Equal((all.Min, all.Max), (combined.Min, combined.Max));
        }, iter: 500);

    [Fact]
    public void Values_added_one_by_one_give_the_moments_of_the_set() =>
        Gen.Double[-1e4, 1e4].Array[1, 200].Sample(xs =>
        {
            var m = Moments.Empty;
            foreach (var x in xs) m.Add(x);
            var direct = Direct(xs);
            Assert.Equal(direct.Count, m.Count);
            Assert.Equal(direct.Mean, m.Mean, 1e-9 * (1 + Math.Abs(direct.Mean)));
            Assert.Equal(direct.M2, m.M2, 1e-9 * (1 + direct.M2));
            Assert.Equal((direct.Min, direct.Max), (m.Min, m.Max));
        }, iter: 300);

    [Fact]
    public void Status_counts_add_up_across_feds()
    {
        var a = new PixelStats(10, 6, [0, 1, 3], [4, 5, 1], Moments.Empty, Moments.Empty);
        var b = new PixelStats(7, 7, [-7, 1], [2, 5], Moments.Empty, Moments.Empty);
        var c = PixelStats.Combine([a, b]);
        Assert.Equal((17L, 13L), (c.Pixels, c.WithData));
        Assert.Equal([-7, 0, 1, 3], c.Statuses);
        Assert.Equal([2L, 4, 10, 1], c.StatusCounts);
    }
}

public class PixelStatsFromFitsTests
{
    [Fact]
    public void Statistics_gathered_from_the_fits_read_as_the_summary_of_the_built_table()
    {
        using var dir = new TempDir();
        var (sim, _) = SimulatedRun.CopyOf(dir.Sub("in"), 271828, [1200, 1296], 4);
        foreach (var fed in sim.Feds)
        {
            var setup = GainCal.Calibration.FedCalibrationSetup.Default;
            using var scanner = new GainCal.Calibration.FedDumpScanner(sim.DumpPath(fed), setup);
            var fitter = new GainCal.Calibration.PatternFitter(setup);
            var table = new GainCal.Results.FedResultBuilder(fed, sim.Run, setup);
            var stats = new PixelStatsBuilder();
            while (scanner.TryReadPattern(out var curves))
            {
                var fits = fitter.Fit(curves);
                table.Add(curves, fits);
                stats.Add(fits);
            }
            var built = table.Build();
            Assert.Equal(built.Summary(), stats.Build(built.RowCount).ToText());
        }
    }
}
