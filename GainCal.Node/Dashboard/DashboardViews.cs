using GainCal.Cluster;
using GainCal.Detector;

namespace GainCal.Node.Dashboard;

/// <summary>One point of the throughput chart: pixels fitted per second across the cluster, at a time.</summary>
public sealed record ThroughputPoint(DateTime Time, double PixelsPerSecond);

/// <summary>A node's share of the runs: FEDs running and queued there (as the run coordinator sees them), and its
/// FED slots when known (this node's own setting; other nodes' slots are not exchanged).</summary>
public sealed record NodeLoad(string Node, int Running, int Queued, int? Slots);

/// <summary>The detector map's layout: the FED ids in blocks of consecutive ids, BPix and FPix apart.</summary>
public sealed record DetectorMapLayout(int[][] BPix, int[][] FPix)
{
    public static DetectorMapLayout Phase1 { get; } = new(Blocks(PixelFeds.BPix), Blocks(PixelFeds.FPix));

    static int[][] Blocks(IReadOnlyList<int> feds)
    {
        var blocks = new List<List<int>>();
        foreach (var fed in feds)
            if (blocks.Count > 0 && blocks[^1][^1] == fed - 1) blocks[^1].Add(fed);
            else blocks.Add([fed]);
        return blocks.Select(b => b.ToArray()).ToArray();
    }
}

/// <summary>
/// The cluster's fitting throughput, from the run views alone: the pixels fitted so far (a running FED's reported
/// count, a FED with a table all its pixels) summed over every run, sampled once a second; the rate is the growth
/// between samples over a few seconds. A FED rerun or a run that disappears lowers the sum: that is no negative work,
/// the rate stays at zero then.
/// </summary>
public sealed class ClusterThroughput(int keep = ClusterThroughput.DefaultKeep)
{
    public const int DefaultKeep = 300;
    static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    readonly Queue<(DateTime At, long Pixels)> _samples = new();
    readonly Queue<ThroughputPoint> _points = new();

    public static long PixelsFitted(IEnumerable<RunStatusView> runs) =>
        runs.SelectMany(r => r.Feds).Sum(f => f.Phase.HasTable() ? f.Pixels : f.Phase == FedPhase.Running ? f.PixelsFitted : 0);

    public ThroughputPoint Add(DateTime now, long pixelsFitted)
    {
        _samples.Enqueue((now, pixelsFitted));
        while (_samples.Count > 1 && now - _samples.Peek().At > Window) _samples.Dequeue();
        var (at, before) = _samples.Peek();
        var seconds = (now - at).TotalSeconds;
        var point = new ThroughputPoint(now, seconds > 0 ? Math.Round(Math.Max(0, pixelsFitted - before) / seconds, 1) : 0);
        _points.Enqueue(point);
        while (_points.Count > keep) _points.Dequeue();
        return point;
    }

    public ThroughputPoint[] Points => _points.ToArray();

    /// <summary>FEDs running and queued per node over every run; this node listed with its slots even when idle.</summary>
    public static NodeLoad[] Load(IEnumerable<RunStatusView> runs, string self, int slots)
    {
        var active = runs.SelectMany(r => r.Feds).Where(f => f.Phase is FedPhase.Running or FedPhase.Queued && f.Node is not null)
            .GroupBy(f => f.Node!).ToDictionary(g => g.Key, g => (Running: g.Count(f => f.Phase == FedPhase.Running),
                Queued: g.Count(f => f.Phase == FedPhase.Queued)));
        return active.Keys.Append(self).Distinct().Order(StringComparer.Ordinal)
            .Select(n => new NodeLoad(n, active.GetValueOrDefault(n).Running, active.GetValueOrDefault(n).Queued, n == self ? slots : null))
            .ToArray();
    }
}
