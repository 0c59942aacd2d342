using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;
using GainCal.Calibration;
using GainCal.Detector;

namespace GainCal.Cluster;

/// <summary>The calibration setup of a VCal table and a cabling map, built once per node and version of their files.</summary>
public static class SetupCache
{
    /// <summary>What a setup was built from: the files' stamps (a file rewritten in place is read again).</summary>
    sealed record Entry((DateTime, long) VCal, (DateTime, long) Cabling, Lazy<FedCalibrationSetup> Setup);

    static readonly ConcurrentDictionary<(string VCal, string Cabling, string Tag), Entry> Setups = new();

    static CablingMap? _cabling;

    /// <summary>The node's cabling (its --cabling option), used for every FED whose run names none; set once at start-up,
    /// before any setup is built. Without it the synthetic map is used.</summary>
    public static void UseCabling(CablingMap cabling)
    {
        _cabling = cabling;
        Setups.Clear();
    }

    /// <summary>The cabling this node calibrates with: its --cabling map, or the synthetic one.</summary>
    public static CablingMap Cabling => _cabling ?? CablingMap.Synthetic();

    /// <summary>A table or cabling file rewritten in place is read again, and one that failed to load is not kept: an
    /// operator who replaces a run's VCal table and resubmits its FEDs gets the new table without restarting the nodes.
    /// Both files are read only from under the node's allowed roots (checked on every call: a link may change).</summary>
    /// <param name="cablingPath">The run's own cabling map (create --cabling); null: the node's.</param>
    public static FedCalibrationSetup For(string? vcalPath, PathConfinement paths, string? cablingPath = null, string? cablingTag = null)
    {
        var key = (vcalPath ?? "", cablingPath ?? "", cablingTag ?? "");
        if (key.Item1.Length > 0) paths.Check(key.Item1);
        if (key.Item2.Length > 0) paths.Check(key.Item2);
        var (vcal, cabling) = (Stamp(key.Item1), Stamp(key.Item2));
        var entry = Setups.AddOrUpdate(key, k => Load(k, vcal, cabling),
            (k, old) => old.VCal == vcal && old.Cabling == cabling ? old : Load(k, vcal, cabling));
        try
        {
            return entry.Setup.Value;
        }
        catch
        {
            Setups.TryRemove(KeyValuePair.Create(key, entry));
            throw;
        }
    }

    static (DateTime, long) Stamp(string path) =>
        path.Length > 0 && new FileInfo(path) is { Exists: true } file ? (file.LastWriteTimeUtc, file.Length) : (default, 0L);

    static Entry Load((string VCal, string Cabling, string Tag) k, (DateTime, long) vcal, (DateTime, long) cabling) =>
        new(vcal, cabling, new Lazy<FedCalibrationSetup>(() => FedCalibrationSetup.ForVCalTag(k.VCal.Length == 0 ? null : k.VCal,
            k.Cabling.Length == 0 ? _cabling : CablingMap.Load(k.Cabling, k.Tag.Length == 0 ? null : k.Tag))));
}

public sealed record RequestFedSlot;
public sealed record FedSlotGranted;
public sealed record ReleaseFedSlot;

/// <summary>The node's FED slots: at most MaxFeds FedCalibrators of this node run at once; the others wait in
/// arrival order. A holder that stops (crash, hand-off) gives its slot back through the death watch. Every few seconds,
/// once the node's FED region is registered with sharding (before that, a FED placed here would have no way in), it
/// tells the run coordinator how many slots the node has: the coordinator places FEDs only on nodes it heard this from,
/// and only where a slot is free; a coordinator that moved learns them again.</summary>
public sealed class FedSlots : ReceiveActor, IWithTimers
{
    sealed record Announce;

    internal static readonly TimeSpan AnnounceEvery = TimeSpan.FromSeconds(2);

    readonly int _max;
    readonly HashSet<IActorRef> _holders = [];
    readonly LinkedList<IActorRef> _waiting = [];

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="coordinator">The run coordinator's proxy, once there is one.</param>
    /// <param name="region">The node's FED region, once it is started.</param>
    public FedSlots(int max, string node, Func<IActorRef?> coordinator, Func<IActorRef?> region)
    {
        _max = max;
        Receive<RequestFedSlot>(_ =>
        {
            if (_holders.Contains(Sender) || _waiting.Contains(Sender)) return;
            Context.Watch(Sender);
            _waiting.AddLast(Sender);
            GrantFree();
        });
        Receive<ReleaseFedSlot>(_ => Remove(Sender));
        Receive<Terminated>(t => Remove(t.ActorRef));
        Receive<Announce>(_ => region()?.Ask<CurrentRegions>(GetCurrentRegions.Instance, AnnounceEvery).PipeTo(Self,
            failure: _ => new CurrentRegions(ImmutableHashSet<Address>.Empty)));
        Receive<CurrentRegions>(r =>
        {
            if (r.Regions.Any(a => NodeName.Of(a) == node)) coordinator()?.Tell(new NodeSlots(node, max));
        });
    }

    protected override void PreStart() => Timers.StartPeriodicTimer("announce", new Announce(), TimeSpan.Zero, AnnounceEvery);

    void Remove(IActorRef a)
    {
        Context.Unwatch(a);
        _holders.Remove(a);
        _waiting.Remove(a);
        GrantFree();
    }

    void GrantFree()
    {
        while (_holders.Count < _max && _waiting.First is { } first)
        {
            _waiting.RemoveFirst();
            _holders.Add(first.Value);
            first.Value.Tell(new FedSlotGranted());
        }
    }
}
