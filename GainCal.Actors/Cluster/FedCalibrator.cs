using System.Security.Cryptography;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Hosting;
using Akka.Persistence;
using GainCal.Operations;
using GainCal.Results;
using GainCal.Storage;

namespace GainCal.Cluster;

/// <summary>One FED of one run (entity "&lt;run&gt;/&lt;fed&gt;"). Once the node grants it a FED slot it runs the FED
/// pipeline (<see cref="FedPipeline"/>: the same one `gaincal calibrate` runs) on a thread of its own, its fits on the node's
/// fit pool; relays the pipeline's progress to the coordinator, records how the attempt ended, and reports the end to the
/// coordinator until it is acknowledged. Persisted: the job, attempts, and how each attempt ended; an attempt cut short
/// by a crash is simply run again (the result is a pure function of the dump).</summary>
public sealed class FedCalibrator : ReceivePersistentActor, IWithTimers
{
    public static string EntityIdOf(uint run, int fed) => $"{run}/{fed}";

    // In-process messages of one attempt (never serialized).
    sealed record Progressed(int Attempt, FedPipelineProgress Progress);
    sealed record AttemptFailed(int Attempt, string Error);
    sealed record AttemptSucceeded(int Attempt, string Path, string Checksum, int Pixels, long Events, PixelStats Stats, FedHealth Health,
        FedPipelineProgress Final);
    sealed record Tick;

    sealed class Attempt(int number)
    {
        public readonly int Number = number;
        public readonly CancellationTokenSource Cancel = new();
        /// <summary>Since the attempt started: the pace of its fits, for the throughput and ETA in `status`.</summary>
        public readonly System.Diagnostics.Stopwatch Clock = System.Diagnostics.Stopwatch.StartNew();
        public FedPipelineProgress Progress;
    }

    /// <summary>Hands the pipeline's progress to the actor as messages (the pipeline reports from its own threads).</summary>
    sealed class Relay(IActorRef self, int attempt) : IProgress<FedPipelineProgress>
    {
        public void Report(FedPipelineProgress value) => self.Tell(new Progressed(attempt, value));
    }

    /// <summary>How long a FED waits for its storage to come back before its attempt fails.</summary>
    static readonly TimeSpan StorageOutageWindow = TimeSpan.FromMinutes(2);

    readonly FedPipelineOptions _pipeline;
    readonly PathConfinement _paths;
    readonly IActorRegistry _registry;
    readonly string _node;

    // Persisted state.
    FedJob? _job;
    int _generation;
    int _attempts;
    FedPhase _phase = FedPhase.Created;
    string? _resultPath;
    string? _checksum;
    int _pixels;
    long _events;
    PixelStats? _stats;
    FedHealth? _health;
    string? _error;

    Attempt? _attempt;
    bool _slotHeld;

    /// <summary>The shard this entity was started in when it is not its node's own: that node has no region (it left,
    /// or has not registered yet) and the shard was allocated here. Such an entity neither recovers nor runs: the
    /// coordinator places the FED on a node with a free slot, and only there may it run (never twice at once).</summary>
    readonly string? _misplacedIn;

    public override string PersistenceId { get; }
    public override Recovery Recovery => _misplacedIn is null ? base.Recovery : Recovery.None;
    public ITimerScheduler Timers { get; set; } = null!;

    public FedCalibrator(string entityId, FedPipelineOptions pipeline, PathConfinement paths, IActorRegistry registry)
    {
        PersistenceId = "fed-" + entityId;
        _pipeline = pipeline;
        _paths = paths;
        _registry = registry;
        _node = NodeName.Of(Akka.Cluster.Cluster.Get(Context.System).SelfAddress);
        // The shard actor is named after its (escaped) shard id: the node the coordinator placed the FED on.
        var shard = Uri.UnescapeDataString(Context.Parent.Path.Name);
        _misplacedIn = shard == _node ? null : shard;

        Recover<FedAccepted>(Apply);
        Recover<FedAttemptStarted>(Apply);
        Recover<FedSucceeded>(Apply);
        Recover<FedAttemptFailed>(Apply);

        Command<StartFed>(OnStart);
        Command<FedSlotGranted>(_ => BeginAttempt());
        Command<Progressed>(m => { if (Current(m.Attempt) is { } a) a.Progress = m.Progress; });
        Command<AttemptFailed>(m => Fail(m.Attempt, m.Error));
        Command<AttemptSucceeded>(OnSucceeded);
        Command<FedEndedAck>(OnAck);
        Command<Tick>(_ => OnTick());
    }

    IActorRef Coordinator => _registry.Get<RunCoordinatorProxy>();

    Attempt? Current(int number) => _attempt is { } a && a.Number == number ? a : null;

    void Apply(FedAccepted e)
    {
        _job = e.Job;
        _generation = e.Generation;
        _phase = FedPhase.Queued;
        _error = null;
    }

    void Apply(FedAttemptStarted e)
    {
        _attempts = e.Attempt;
        _phase = FedPhase.Running;
    }

    void Apply(FedSucceeded e)
    {
        _health = e.Health?.ToHealth();
        _phase = _health is { Clean: false } ? FedPhase.DoneWithWarnings : FedPhase.Done;
        _resultPath = e.ResultPath;
        _checksum = e.Checksum;
        _pixels = e.Pixels;
        _events = e.Events;
        _stats = e.Stats;
        _error = null;
    }

    void Apply(FedAttemptFailed e)
    {
        _phase = FedPhase.Failed;
        _error = e.Error;
    }

    protected override void OnReplaySuccess()
    {
        if (_misplacedIn is not null)
        {
            Context.GetLogger().Info("FED {0} reached node {1} in the shard of node {2}, which has no region: not run here", PersistenceId,
                _node, _misplacedIn);
            Context.Stop(Self);
            return;
        }
        switch (_phase)
        {
            case FedPhase.Queued or FedPhase.Running:
                // Interrupted (node died, hand-off, full restart): run the FED again.
                _phase = FedPhase.Queued;
                RequestSlot();
                break;
            case FedPhase.Done or FedPhase.DoneWithWarnings or FedPhase.Failed:
                ReportEnd(alreadyDone: false);
                break;
        }
    }

    void OnStart(StartFed m)
    {
        if (_misplacedIn is not null) return;
        switch (_phase)
        {
            case FedPhase.Queued or FedPhase.Running:
                ReportProgress();
                break;
            case FedPhase.Done or FedPhase.DoneWithWarnings when m.Generation > _generation && m.Force:
            case FedPhase.Done or FedPhase.DoneWithWarnings when !ResultIntact():
            case FedPhase.Failed when m.Generation > _generation:
            case FedPhase.Created:
                Persist(new FedAccepted(m.Job, Math.Max(m.Generation, _generation)), e =>
                {
                    Apply(e);
                    RequestSlot();
                });
                break;
            default:
                ReportEnd(alreadyDone: true);
                break;
        }
    }

    bool ResultIntact() => _resultPath is { } p && _paths.Problem(p) is null && FileChecksum.Exists(p) && FileChecksum.Of(p) == _checksum;

    void RequestSlot()
    {
        _registry.Get<FedSlotsKey>().Tell(new RequestFedSlot());
        Timers.StartPeriodicTimer("tick", new Tick(), TimeSpan.FromSeconds(1));
        ReportProgress();
    }

    void ReleaseSlot()
    {
        if (!_slotHeld) return;
        _slotHeld = false;
        _registry.Get<FedSlotsKey>().Tell(new ReleaseFedSlot());
    }

    void BeginAttempt()
    {
        _slotHeld = true;
        if (_phase != FedPhase.Queued || _job is null)
        {
            ReleaseSlot();
            return;
        }
        Persist(new FedAttemptStarted(_attempts + 1, _node), e =>
        {
            Apply(e);
            StartScan(_job, e.Attempt);
        });
    }

    void StartScan(FedJob job, int number)
    {
        var attempt = _attempt = new Attempt(number);
        var self = Self;
        var options = _pipeline;
        var paths = _paths;
        // The pipeline reads and decodes on threads of its own and blocks until the table is written: never on the dispatcher.
        Task.Factory.StartNew(() => Calibrate(job, attempt, options, paths, self), CancellationToken.None, TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        ReportProgress();
    }

    /// <remarks>Every path is checked against this node's roots when it is touched: a link may have changed since `create`.</remarks>
    static void Calibrate(FedJob job, Attempt attempt, FedPipelineOptions options, PathConfinement paths, IActorRef self)
    {
        var ct = attempt.Cancel.Token;
        try
        {
            paths.Check(job.DumpPath);
            var setup = SetupCache.For(job.VCalPath, paths, job.CablingPath, job.CablingTag) with { RealignEvents = job.RealignEvents };
            // A storage outage (xrootd restarted, network cut) is waited out and the FED calibrated again from its
            // first byte; the attempt fails only when the outage outlasts the window.
            var succeeded = StorageOutage.Run(() =>
            {
                var stats = new PixelStatsBuilder();
                var outcome = new FedPipeline(setup, options).Run(job.DumpPath, new Relay(self, attempt.Number), ct,
                    new ExpectedFed(job.Run, job.Fed), stats.Add);
                paths.Check(job.Layout.FedTable(outcome.Fed));
                paths.Check(job.Layout.FedReport(outcome.Fed));
                var path = outcome.Write(job.Layout);
                return new AttemptSucceeded(attempt.Number, path, FileChecksum.Of(path), outcome.Table.RowCount, outcome.Progress.Events,
                    stats.Build(outcome.Table.RowCount), FedHealth.From(outcome.Health), outcome.Progress);
            }, StorageOutageWindow, ct);
            self.Tell(succeeded);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            self.Tell(new AttemptFailed(attempt.Number, e.Message));
        }
    }

    void OnSucceeded(AttemptSucceeded m)
    {
        if (Current(m.Attempt) is not { } attempt) return;
        // The metrics count the pixels fitted since the last report too: the outcome's own count, not the last relayed one.
        attempt.Progress = m.Final;
        Persist(new FedSucceeded(m.Attempt, m.Path, m.Checksum, m.Pixels, m.Events, m.Stats, RecordedHealth.From(m.Health)), e =>
        {
            Apply(e);
            PublishActivity();
            EndAttempt();
            ReportEnd(alreadyDone: false);
        });
    }

    void Fail(int number, string error)
    {
        if (Current(number) is null && !(_phase == FedPhase.Running && _attempts == number)) return;
        Persist(new FedAttemptFailed(number, error), e =>
        {
            Apply(e);
            PublishActivity();
            EndAttempt();
            ReportEnd(alreadyDone: false);
        });
    }

    void EndAttempt()
    {
        _attempt?.Cancel.Cancel();
        _attempt = null;
        ReleaseSlot();
    }

    void ReportProgress()
    {
        if (_job is not { } job) return;
        var p = _attempt?.Progress ?? default;
        PublishActivity();
        Coordinator.Tell(new FedProgress(job.Run, job.Fed, _generation, _attempts, _node, _phase == FedPhase.Queued,
            p.BytesRead, p.Length, p.Events, p.PatternsDecoded, p.PixelsFitted, p.PatternsFitted, p.PatternCount,
            _attempt?.Clock.ElapsedMilliseconds ?? 0));
    }

    /// <summary>For the node's metrics (GainCal.Node's dashboard); local only.</summary>
    void PublishActivity()
    {
        if (_job is { } job)
            Context.System.EventStream.Publish(new FedActivity(job.Run, job.Fed, _attempts, _phase,
                _attempt?.Progress.BytesRead ?? 0, _attempt?.Progress.PixelsFitted ?? 0));
    }

    FedEnded? _end;

    void ReportEnd(bool alreadyDone)
    {
        if (_job is not { } job) return;
        var table = _phase.HasTable();
        _end = new FedEnded(job.Run, job.Fed, _generation, _attempts, table,
            _resultPath, _checksum, _pixels, _events, _error, _node, alreadyDone, table ? _stats : null, table ? _health : null);
        Coordinator.Tell(_end);
        // Re-sent until acknowledged: the coordinator may be moving to another node right now.
        Timers.StartPeriodicTimer("tick", new Tick(), TimeSpan.FromSeconds(3));
    }

    void OnTick()
    {
        if (_phase is FedPhase.Queued or FedPhase.Running) ReportProgress();
        else if (_end is not null) Coordinator.Tell(_end);
        else Timers.Cancel("tick");
    }

    void OnAck(FedEndedAck m)
    {
        if (m.Generation != _generation || !_phase.HasEnded()) return;
        _end = null;
        Timers.Cancel("tick");
        // Ended and known to the coordinator: stop until asked again.
        Context.Parent.Tell(new Passivate(PoisonPill.Instance));
    }

    protected override void PostStop()
    {
        _attempt?.Cancel.Cancel();
        base.PostStop();
    }
}

public static class FileChecksum
{
    /// <summary>SHA-256 of the file (a path or an XRootD URL), first 16 bytes in hex: enough to tell a result file from another.</summary>
    public static string Of(string location)
    {
        using var s = StorageByLocation.Default.OpenRead(location);
        return Convert.ToHexStringLower(SHA256.HashData(s).AsSpan(0, 16));
    }

    /// <summary>True when a file is at the location; a storage that cannot be asked right now counts as no.</summary>
    public static bool Exists(string location)
    {
        try
        {
            return StorageByLocation.Default.Stat(location) is { IsDirectory: false };
        }
        catch (StorageException)
        {
            return false;
        }
    }
}
