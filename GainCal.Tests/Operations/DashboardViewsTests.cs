using GainCal.Cluster;
using GainCal.Detector;
using GainCal.Node.Dashboard;

namespace GainCal.Tests.Operations;

/// <summary>The dashboard's plain views: the detector map's layout, the cluster's throughput and each node's load.</summary>
public class DashboardViewsTests
{
    static readonly DateTime T0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    static FedStatusView Fed(int fed, FedPhase phase, string? node, long pixelsFitted = 0, int pixels = 0) =>
        new(fed, phase, node, 1, 0, 0, 0, 0, pixelsFitted, null, null, pixels);

    static RunStatusView Run(uint run, params FedStatusView[] feds) =>
        new(run, "/in", "/out", null, null, false, true, [], feds, null, false, "n1");

    [Fact]
    public void The_map_holds_the_108_FEDs_in_their_blocks_BPix_and_FPix_apart()
    {
        var map = DetectorMapLayout.Phase1;
        Assert.Equal((8, 4), (map.BPix.Length, map.FPix.Length));
        Assert.All(map.BPix, b => Assert.Equal(10, b.Length));
        Assert.All(map.FPix, b => Assert.Equal(7, b.Length));
        Assert.Equal(PixelFeds.All, map.BPix.Concat(map.FPix).SelectMany(b => b));
        Assert.Equal([1200, 1212, 1224, 1236, 1248, 1260, 1272, 1284], map.BPix.Select(b => b[0]));
        Assert.Equal([1296, 1308, 1320, 1332], map.FPix.Select(b => b[0]));
    }

    [Fact]
    public void Throughput_counts_running_FEDs_progress_and_finished_FEDs_whole_and_never_goes_negative()
    {
        var t = new ClusterThroughput(keep: 4);
        Assert.Equal(0, t.Add(T0, 0).PixelsPerSecond);
        var running = new[] { Run(1, Fed(1200, FedPhase.Running, "a", pixelsFitted: 1000), Fed(1201, FedPhase.Queued, "a", pixelsFitted: 50)) };
        Assert.Equal(1000, ClusterThroughput.PixelsFitted(running));
        Assert.Equal(500, t.Add(T0.AddSeconds(2), 1000).PixelsPerSecond);
        // The FED ends: all its pixels count, also those fitted after its last progress report.
        var ended = new[] { Run(1, Fed(1200, FedPhase.Done, "a", pixelsFitted: 0, pixels: 4160), Fed(1201, FedPhase.DoneWithWarnings, "a", pixels: 100)),
            Run(2, Fed(1200, FedPhase.Failed, "b", pixelsFitted: 7)) };
        Assert.Equal(4260, ClusterThroughput.PixelsFitted(ended));
        Assert.Equal(1065, t.Add(T0.AddSeconds(4), 4260).PixelsPerSecond);
        // Older than the 5 s window: the rate is over the samples within it.
        Assert.Equal(1380, t.Add(T0.AddSeconds(6), 4260 + 2260).PixelsPerSecond);
        // A rerun lowers the sum: no negative rate.
        Assert.Equal(0, t.Add(T0.AddSeconds(7), 100).PixelsPerSecond);
        Assert.Equal([T0.AddSeconds(2), T0.AddSeconds(4), T0.AddSeconds(6), T0.AddSeconds(7)], t.Points.Select(p => p.Time));
    }

    [Fact]
    public void Load_counts_running_and_queued_FEDs_per_node_and_lists_this_node_with_its_slots()
    {
        var runs = new[]
        {
            Run(1, Fed(1200, FedPhase.Running, "b:2"), Fed(1201, FedPhase.Queued, "b:2"), Fed(1202, FedPhase.Done, "a:1"), Fed(1203, FedPhase.Pending, null)),
            Run(2, Fed(1200, FedPhase.Running, "b:2"), Fed(1201, FedPhase.Running, "c:3")),
        };
        Assert.Equal([new NodeLoad("a:1", 0, 0, 4), new NodeLoad("b:2", 2, 1, null), new NodeLoad("c:3", 1, 0, null)],
            ClusterThroughput.Load(runs, "a:1", 4));
    }
}
