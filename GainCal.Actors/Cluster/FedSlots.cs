using System.Collections.Concurrent;
using Akka.Actor;
using GainCal.Calibration;
using GainCal.Detector;

namespace GainCal.Cluster;

/// <summary>The calibration setup of a VCal table, built once per node and version of the table file.</summary>
public static class SetupCache
{
    sealed record Entry(DateTime Written, long Length, Lazy<FedCalibrationSetup> Setup);

    static readonly ConcurrentDictionary<string, Entry> Setups = new();

    static CablingMap? _cabling;

    /// <summary>The node's cabling (its --cabling option), used for every FED it calibrates; set once at start-up,
    /// before any setup is built. Without it the synthetic map is used.</summary>
    public static void UseCabling(CablingMap cabling)
    {
        _cabling = cabling;
        Setups.Clear();
    }

    /// <summary>The cabling this node calibrates with: its --cabling map, or the synthetic one.</summary>
    public static CablingMap Cabling => _cabling ?? CablingMap.Synthetic();

    /// <summary>A table rewritten in place is read again, and one that failed to load is not kept: an operator who
    /// replaces a run's VCal table and resubmits its FEDs gets the new table without restarting the nodes.
    /// The table is read only from under the node's allowed roots (checked on every call: a link may change).</summary>
    public static FedCalibrationSetup For(string? vcalPath, PathConfinement paths)
    {
        var path = vcalPath ?? "";
        if (path.Length > 0) paths.Check(path);
        var file = path.Length == 0 ? null : new FileInfo(path);
        var (written, length) = file is { Exists: true } ? (file.LastWriteTimeUtc, file.Length) : (default, 0L);
        var entry = Setups.AddOrUpdate(path, p => Load(p, written, length),
            (p, old) => old.Written == written && old.Length == length ? old : Load(p, written, length));
        try
        {
            return entry.Setup.Value;
        }
        catch
        {
            Setups.TryRemove(KeyValuePair.Create(path, entry));
            throw;
        }
    }

    static Entry Load(string path, DateTime written, long length) =>
        new(written, length, new Lazy<FedCalibrationSetup>(() => FedCalibrationSetup.ForVCalTag(path.Length == 0 ? null : path, _cabling)));
}

public sealed record RequestFedSlot;
public sealed record FedSlotGranted;
public sealed record ReleaseFedSlot;

/// <summary>The node's FED slots: at most MaxFeds FedCalibrators of this node run at once; the others wait in
/// arrival order. A holder that stops (crash, hand-off) gives its slot back through the death watch.</summary>
public sealed class FedSlots : ReceiveActor
{
    readonly int _max;
    readonly HashSet<IActorRef> _holders = [];
    readonly LinkedList<IActorRef> _waiting = [];

    public FedSlots(int max)
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
    }

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
