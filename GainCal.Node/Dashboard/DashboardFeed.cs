using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using GainCal.Cluster;
using GainCal.Results;
using GainCal.Operations;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GainCal.Node.Dashboard;

public sealed record RegionCount(int Shards, int Entities);

public sealed record MemberView(string Address, string[] Roles, string Status, bool Unreachable, bool Leader, bool Self,
    string? AppVersion, Dictionary<string, RegionCount> Sharding);

public sealed record NodeView(string Address, int FedsRunning, long FedsDone, long FedsFailed, long BytesRead, long PixelsFitted,
    double PixelsPerSecond, int QueueDepth);

/// <summary>What the dashboard shows, as of one moment: the members (with their shards), every run with its
/// FEDs (newest run first), this node's own numbers, what could not be obtained, the cluster's throughput over the
/// last minutes, each node's load and the detector map's layout.</summary>
public sealed record DashboardSnapshot(long Sequence, DateTime Time, NodeView Node, MemberView[] Members, RunStatusView[] Runs,
    string[] Problems, ThroughputPoint[] Throughput, NodeLoad[] Load, DetectorMapLayout Map);

/// <summary>Builds a <see cref="DashboardSnapshot"/> once a second from the actors (cluster state, a real shard
/// region's cluster-wide statistics, the run coordinator's run list, the node's metrics) and hands the newest to
/// every server-sent-event stream.</summary>
public sealed class DashboardFeed(ActorSystem system, IReadOnlyActorRegistry registry, NodeMetrics metrics, FitThreadPool fits, JournalHealth journal,
    NodeSettings settings, ILogger<DashboardFeed> log)
    : BackgroundService
{
    static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);
    // One line: a server-sent event's data must not contain a newline.
    static readonly JsonSerializerOptions Json = new(StatusText.Json) { WriteIndented = false };

    sealed record Latest(long Sequence, string Json);

    Latest _latest = new(0, "{}");
    readonly ClusterThroughput _throughput = new();
    TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string LatestJson => Volatile.Read(ref _latest).Json;

    /// <summary>The newest snapshot after <paramref name="sequence"/>, waiting for it if need be; null on timeout.</summary>
    public async Task<(long Sequence, string Json)?> NextAsync(long sequence, TimeSpan timeout, CancellationToken ct)
    {
        var changed = Volatile.Read(ref _changed).Task;
        var latest = Volatile.Read(ref _latest);
        if (latest.Sequence > sequence) return (latest.Sequence, latest.Json);
        try
        {
            await changed.WaitAsync(timeout, ct);
        }
        catch (TimeoutException)
        {
            return null;
        }
        latest = Volatile.Read(ref _latest);
        return (latest.Sequence, latest.Json);
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        metrics.Attach(system, fits);
        long sequence = 0;
        using var timer = new PeriodicTimer(Period);
        do
        {
            try
            {
                var snapshot = await SnapshotAsync(++sequence, ct);
                Volatile.Write(ref _latest, new Latest(sequence, JsonSerializer.Serialize(snapshot, Json)));
                Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "dashboard snapshot failed");
            }
        } while (await timer.WaitForNextTickAsync(ct));
    }

    async Task<DashboardSnapshot> SnapshotAsync(long sequence, CancellationToken ct)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var state = cluster.State;
        var problems = new List<string>();

        var sharding = new Dictionary<string, ClusterShardingStats>();
        foreach (var (type, hosted) in ShardingPalette.Types(system))
        {
            if (ShardingPalette.RealRegion(system, type, hosted) is not { } region)
            {
                problems.Add($"{type}: no member hosts its shard region");
                continue;
            }
            try
            {
                sharding[type] = await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(AskTimeout), AskTimeout + AskTimeout, ct);
            }
            catch (AskTimeoutException)
            {
                problems.Add($"{type}: shard statistics did not come in time");
            }
        }

        if (journal.Problem is { } unreadable) problems.Add($"this node's journal cannot be read: {unreadable}");
        RunStatusView[] runs = [];
        try
        {
            runs = (await registry.Get<RunCoordinatorProxy>().Ask<RunList>(new ListRuns(false), AskTimeout, ct)).Runs
                .OrderByDescending(r => r.Run).ToArray();
            _throughput.Add(DateTime.UtcNow, ClusterThroughput.PixelsFitted(runs));
            metrics.SetRunFeds(runs.SelectMany(r => r.Feds).GroupBy(f => f.Phase).ToDictionary(g => g.Key, g => g.Count()));
            metrics.SetRunHealth(runs.SelectMany(r => r.Feds).Select(f => f.Health).OfType<FedHealth>().ToArray());
            metrics.SetDrift(runs);
        }
        catch (AskTimeoutException)
        {
            problems.Add("the run coordinator did not answer (cluster starting, or failing over)");
        }

        var members = state.Members.Select(m => new MemberView(m.Address.ToString(), m.Roles.Order().ToArray(),
            m.Status.ToString().ToLowerInvariant(), state.Unreachable.Contains(m), state.Leader == m.Address, m.Address == cluster.SelfAddress,
            m.AppVersion?.ToString(),
            sharding.ToDictionary(kv => kv.Key, kv => kv.Value.Regions.TryGetValue(m.Address, out var r)
                ? new RegionCount(r.Stats.Count, r.Stats.Values.Sum())
                : new RegionCount(0, 0)))).ToArray();
        var self = cluster.SelfAddress;
        var node = new NodeView($"{self.Host}:{self.Port}", metrics.FedsRunning, metrics.FedsDone, metrics.FedsFailed, metrics.BytesRead,
            metrics.PixelsFitted, Math.Round(metrics.PixelsPerSecond, 1), metrics.QueueDepth);
        return new DashboardSnapshot(sequence, DateTime.UtcNow, node, members, runs, problems.ToArray(), _throughput.Points,
            ClusterThroughput.Load(runs, node.Address, settings.MaxFeds), DetectorMapLayout.Phase1);
    }
}
