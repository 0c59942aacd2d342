using System.Collections.Concurrent;
using Akka.Actor;
using GainCal.Calibration;

namespace GainCal.Cluster;

// Node-local messages between a FedCalibrator and the fit pool: they never leave the process
// (the pool is created per node), so they are not IGainCalMessage and are never serialized.
// A batch is one or more consecutive patterns: small FEDs have few pixels per pattern, and one message per
// pattern would cost more than the fit.
public sealed record FitPatterns(long Sequence, string? VCalPath, PatternCurves[] Curves);
public sealed record PatternsFitted(long Sequence, PatternCurves[] Curves, PatternFits[] Fits);
public sealed record PatternFitFailed(long Sequence, string Error);

/// <summary>The calibration setup of a VCal table, built once per node and table.</summary>
public static class SetupCache
{
    static readonly ConcurrentDictionary<string, Lazy<FedCalibrationSetup>> Setups = new();

    /// <summary>A table that failed to load is not kept: once the operator has fixed the file, a resubmitted FED reads it again.</summary>
    public static FedCalibrationSetup For(string? vcalPath)
    {
        var key = vcalPath ?? "";
        var setup = Setups.GetOrAdd(key, p => new Lazy<FedCalibrationSetup>(() => FedCalibrationSetup.ForVCalTag(p.Length == 0 ? null : p)));
        try
        {
            return setup.Value;
        }
        catch
        {
            Setups.TryRemove(KeyValuePair.Create(key, setup));
            throw;
        }
    }
}

/// <summary>One pixel-fit worker of the node's pool: fits a pattern's curves. A PatternFitter is not
/// thread-safe, so each worker keeps its own (one per VCal table it has seen).</summary>
public sealed class PixelFitWorker : ReceiveActor
{
    readonly Dictionary<string, PatternFitter> _fitters = [];

    public PixelFitWorker()
    {
        Receive<FitPatterns>(m =>
        {
            var pattern = -1;
            try
            {
                var key = m.VCalPath ?? "";
                if (!_fitters.TryGetValue(key, out var fitter))
                    _fitters[key] = fitter = new PatternFitter(SetupCache.For(m.VCalPath));
                var fits = new PatternFits[m.Curves.Length];
                for (var i = 0; i < fits.Length; i++)
                {
                    pattern = m.Curves[i].Pattern;
                    fits[i] = fitter.Fit(m.Curves[i]);
                }
                Sender.Tell(new PatternsFitted(m.Sequence, m.Curves, fits));
            }
            catch (Exception e)
            {
                Sender.Tell(new PatternFitFailed(m.Sequence, $"fit of pattern {pattern} failed: {e.Message}"));
            }
        });
    }
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
