using System.Diagnostics.Metrics;
using Akka.Actor;
using GainCal.Cluster;
using GainCal.Operations;
using GainCal.Results;

namespace GainCal.Node.Dashboard;

/// <summary>Every instrument of the node, on one Meter named "GainCal" (exported at /metrics). The numbers
/// come from the actors: FedCalibrators publish <see cref="FedActivity"/> on this node's event stream
/// (<see cref="FedActivityListener"/> turns it into counters), the node's fit threads give the queue depth,
/// the cluster's state the members, and the run coordinator (through <see cref="DashboardFeed"/>) the FED
/// states of every run.</summary>
public sealed class NodeMetrics : IDisposable
{
    public const string MeterName = "GainCal";
    static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(5);

    readonly Meter _meter = new(MeterName, "1.0");
    readonly Counter<long> _done, _failed, _bytes, _pixels;
    readonly Queue<(DateTime At, long Pixels)> _samples = new();
    long _doneTotal, _failedTotal, _bytesTotal, _pixelsTotal;
    int _running;
    double _rate;
    FitThreadPool? _fits;
    ActorSystem? _system;
    Dictionary<FedPhase, int> _runFeds = [];
    LastDrift? _drift;

    sealed record LastDrift(uint Run, DriftView Drift);

    public NodeMetrics()
    {
        _done = _meter.CreateCounter<long>("gaincal.feds.done", "{fed}", "FED attempts that ended done on this node");
        _failed = _meter.CreateCounter<long>("gaincal.feds.failed", "{fed}", "FED attempts that failed on this node");
        _bytes = _meter.CreateCounter<long>("gaincal.read", "By", "dump bytes read by this node's FEDs");
        _pixels = _meter.CreateCounter<long>("gaincal.pixels.fitted", "{pixel}", "pixels fitted on this node");
        // Counters appear in the export once measured: a zero makes every series visible from the start.
        foreach (var c in new[] { _done, _failed, _bytes, _pixels }) c.Add(0);
        _meter.CreateObservableGauge("gaincal.feds.running", () => Volatile.Read(ref _running), "{fed}", "FEDs reading or fitting on this node now");
        _meter.CreateObservableGauge("gaincal.pixels.fitted.rate", () => Volatile.Read(ref _rate), "{pixel}/s",
            "pixels fitted per second on this node over the last 5 s");
        _meter.CreateObservableGauge("gaincal.fit.queue.depth", () => QueueDepth, "{pattern}",
            "patterns waiting for one of this node's fit threads");
        _meter.CreateObservableGauge("gaincal.cluster.members", MemberMeasurements, "{member}",
            "cluster members as this node sees them, by status (unreachable ones also under status=unreachable)");
        _meter.CreateObservableGauge("gaincal.run.feds", RunFedMeasurements, "{fed}",
            "FEDs of every run by state, as the run coordinator sees them (the same on every node)");
        _meter.CreateObservableGauge("gaincal.drift.modules", DriftModuleMeasurements, "{module}",
            "modules of the last merged run beyond a drift threshold since its reference, by quantity (gain, pedestal, bad_fits)");
        _meter.CreateObservableGauge("gaincal.drift.part", DriftPartMeasurements, null,
            "drift of the last merged run since its reference per layer and disk/ring: quantity gain_percent (mean gain change, %), " +
            "pedestal_adc (mean pedestal change, ADC) or bad_fits_percent (change of the bad-fit fraction, % of pixels)");
        _warned = _meter.CreateCounter<long>("gaincal.feds.warned", "{fed}",
            "FED attempts on this node that ended done-with-warnings (dump not read whole and clean)");
        _warned.Add(0);
        _meter.CreateObservableGauge("gaincal.run.dump.problems", DumpProblemMeasurements, "{count}",
            "what the dumps of every run's ended FEDs held that a whole, clean dump does not, by kind, summed over FEDs");
    }

    readonly Counter<long> _warned;
    long _warnedTotal;
    IReadOnlyList<FedHealth> _runHealth = [];

    public long FedsWarned => Interlocked.Read(ref _warnedTotal);

    internal void Warned()
    {
        _warned.Add(1);
        Interlocked.Increment(ref _warnedTotal);
    }

    internal void SetRunHealth(IReadOnlyList<FedHealth> health) => Volatile.Write(ref _runHealth, health);

    IEnumerable<Measurement<long>> DumpProblemMeasurements()
    {
        var all = Volatile.Read(ref _runHealth);
        (string Kind, Func<FedHealth, long> Count)[] kinds =
        [
            ("events_missing", h => h.EventsMissing), ("l1id_gaps", h => h.L1IdGaps), ("duplicates", h => h.Duplicates),
            ("resyncs", h => h.Resyncs), ("invalid_addresses", h => h.InvalidAddresses), ("off_pattern_hits", h => h.OffPatternHits),
            ("shifted_pixels", h => h.ShiftedPixels), ("warnings", h => h.Warnings.Length),
        ];
        foreach (var (kind, count) in kinds)
            yield return new Measurement<long>(all.Sum(count), new KeyValuePair<string, object?>("kind", kind));
    }

    public long FedsDone => Interlocked.Read(ref _doneTotal);
    public long FedsFailed => Interlocked.Read(ref _failedTotal);
    public long BytesRead => Interlocked.Read(ref _bytesTotal);
    public long PixelsFitted => Interlocked.Read(ref _pixelsTotal);
    public int FedsRunning => Volatile.Read(ref _running);
    public double PixelsPerSecond => Volatile.Read(ref _rate);

    /// <summary>Patterns waiting for a fit thread (those being fitted are not counted).</summary>
    public int QueueDepth => Volatile.Read(ref _fits)?.Queued ?? 0;

    /// <summary>Called once the ActorSystem runs.</summary>
    public void Attach(ActorSystem system, FitThreadPool fits)
    {
        _system = system;
        Volatile.Write(ref _fits, fits);
        system.ActorOf(Props.Create(() => new FedActivityListener(this)), "gaincal-metrics");
    }

    internal void Progressed(long bytes, long pixels)
    {
        if (bytes > 0)
        {
            _bytes.Add(bytes);
            Interlocked.Add(ref _bytesTotal, bytes);
        }
        if (pixels > 0)
        {
            _pixels.Add(pixels);
            Interlocked.Add(ref _pixelsTotal, pixels);
        }
    }

    internal void Ended(bool ok)
    {
        if (ok)
        {
            _done.Add(1);
            Interlocked.Increment(ref _doneTotal);
        }
        else
        {
            _failed.Add(1);
            Interlocked.Increment(ref _failedTotal);
        }
    }

    internal void SetRunning(int running) => Volatile.Write(ref _running, running);

    /// <summary>Once a second (the listener's timer): the fitted-pixel rate over the last window.</summary>
    internal void Sample(DateTime now)
    {
        _samples.Enqueue((now, PixelsFitted));
        while (_samples.Count > 1 && now - _samples.Peek().At > RateWindow) _samples.Dequeue();
        var (at, pixels) = _samples.Peek();
        var seconds = (now - at).TotalSeconds;
        Volatile.Write(ref _rate, seconds > 0 ? (PixelsFitted - pixels) / seconds : 0);
    }

    internal void SetRunFeds(Dictionary<FedPhase, int> counts) => Volatile.Write(ref _runFeds, counts);

    /// <summary>The drift shown is that of the run merged last whose drift check ran.</summary>
    internal void SetDrift(IEnumerable<RunStatusView> runs)
    {
        var last = runs.Where(r => r.Merge is { Ok: true, Drift.Problem: null, Drift: not null }).MaxBy(r => r.Merge!.MergedUnixMs);
        Volatile.Write(ref _drift, last is null ? null : new LastDrift(last.Run, last.Merge!.Drift!));
    }

    IEnumerable<Measurement<int>> DriftModuleMeasurements()
    {
        if (Volatile.Read(ref _drift) is not { } x) yield break;
        var d = x.Drift;
        foreach (var (quantity, n) in new[] { ("gain", d.ModulesBeyondGain), ("pedestal", d.ModulesBeyondPedestal), ("bad_fits", d.ModulesBeyondBadFits) })
            yield return new Measurement<int>(n, Tag("run", x.Run), Tag("reference_run", d.ReferenceRun), Tag("quantity", quantity));
    }

    IEnumerable<Measurement<double>> DriftPartMeasurements()
    {
        if (Volatile.Read(ref _drift) is not { } x) yield break;
        foreach (var p in x.Drift.Parts)
        foreach (var (quantity, value) in new[] { ("gain_percent", 100 * p.Gain), ("pedestal_adc", p.Pedestal), ("bad_fits_percent", 100 * p.BadFitFraction) })
            if (double.IsFinite(value))
                yield return new Measurement<double>(value, Tag("run", x.Run), Tag("reference_run", x.Drift.ReferenceRun), Tag("part", p.Name), Tag("quantity", quantity));
    }

    static KeyValuePair<string, object?> Tag(string key, object value) => new(key, value.ToString());

    IEnumerable<Measurement<int>> MemberMeasurements()
    {
        if (_system is null) yield break;
        var state = Akka.Cluster.Cluster.Get(_system).State;
        foreach (var g in state.Members.GroupBy(m => m.Status))
            yield return new Measurement<int>(g.Count(), new KeyValuePair<string, object?>("status", g.Key.ToString().ToLowerInvariant()));
        yield return new Measurement<int>(state.Unreachable.Count, new KeyValuePair<string, object?>("status", "unreachable"));
    }

    IEnumerable<Measurement<int>> RunFedMeasurements() =>
        Volatile.Read(ref _runFeds).Select(kv =>
            new Measurement<int>(kv.Value, new KeyValuePair<string, object?>("state", StatusText.Name(kv.Key))));

    public void Dispose() => _meter.Dispose();
}

/// <summary>Turns the FedCalibrators' activity on this node into the metrics' counters: progress reports carry
/// running totals per attempt, the counters get their increments. A running FED reports every second; one
/// silent for longer than <see cref="Silence"/> was stopped without ending (hand-off) and no longer counts.</summary>
public sealed class FedActivityListener : ReceiveActor, IWithTimers
{
    sealed record Tick;

    readonly Dictionary<(uint Run, int Fed, int Attempt), (long Bytes, long Pixels)> _seen = [];
    readonly Dictionary<(uint, int, int), DateTime> _running = [];
    static readonly TimeSpan Silence = TimeSpan.FromSeconds(5);

    public ITimerScheduler Timers { get; set; } = null!;

    public FedActivityListener(NodeMetrics metrics)
    {
        Context.System.EventStream.Subscribe(Self, typeof(FedActivity));
        Receive<FedActivity>(a =>
        {
            var key = (a.Run, a.Fed, a.Attempt);
            var (bytes, pixels) = _seen.GetValueOrDefault(key);
            metrics.Progressed(a.BytesRead - bytes, a.PixelsFitted - pixels);
            _seen[key] = (Math.Max(bytes, a.BytesRead), Math.Max(pixels, a.PixelsFitted));
            if (a.Phase == FedPhase.Running) _running[key] = DateTime.UtcNow;
            else _running.Remove(key);
            if (a.Phase.HasEnded())
            {
                _seen.Remove(key);
                if (a.Phase == FedPhase.DoneWithWarnings) metrics.Warned();
                else metrics.Ended(a.Phase == FedPhase.Done);
            }
            metrics.SetRunning(_running.Count);
        });
        Receive<Tick>(_ =>
        {
            var now = DateTime.UtcNow;
            foreach (var key in _running.Where(kv => now - kv.Value > Silence).Select(kv => kv.Key).ToList())
            {
                _running.Remove(key);
                _seen.Remove(key);
            }
            metrics.SetRunning(_running.Count);
            metrics.Sample(now);
        });
    }

    protected override void PreStart() => Timers.StartPeriodicTimer("sample", new Tick(), TimeSpan.FromSeconds(1));
    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}
