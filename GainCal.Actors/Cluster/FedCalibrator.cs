using System.Security.Cryptography;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Persistence;
using GainCal.Calibration;
using GainCal.Operations;
using GainCal.Results;

namespace GainCal.Cluster;

/// <summary>One FED of one run (entity "&lt;run&gt;/&lt;fed&gt;"). Streams the dump pattern by pattern on a dedicated
/// thread, lets the node's fit pool fit each completed pattern (a bounded number in flight), builds the
/// per-pixel table in pattern order, writes &lt;outdir&gt;/fed/&lt;FED&gt;.parquet atomically and reports the end to
/// the coordinator until it is acknowledged. Persisted: the job, attempts, and how each attempt ended;
/// an attempt cut short by a crash is simply run again (the result is a pure function of the dump).</summary>
public sealed class FedCalibrator : ReceivePersistentActor, IWithTimers
{
    public static string EntityIdOf(uint run, int fed) => $"{run}/{fed}";

    // In-process messages of one attempt (never serialized).
    sealed record ScanProgressed(int Attempt, FedScanProgress Progress);
    sealed record ScanEnded(int Attempt, long Batches, FedScanProgress Progress, string Report);
    sealed record AttemptFailed(int Attempt, string Error);
    sealed record BuildDone(int Attempt, string Path, string Checksum, int Pixels, PixelStats Stats);
    sealed record Tick;

    sealed class Attempt(int number, FedResultBuilder builder, int inFlight)
    {
        public readonly int Number = number;
        public readonly FedResultBuilder Builder = builder;
        public readonly PixelStatsBuilder Stats = new();
        public readonly CancellationTokenSource Cancel = new();
        public readonly SemaphoreSlim InFlight = new(inFlight, inFlight);
        public readonly SortedDictionary<long, PatternsFitted> Early = [];
        public long Next;
        public long Total = -1;
        public long PixelsFitted;
        public FedScanProgress Progress;
        public string Report = "";
        public bool Building;
    }

    readonly NodeSettings _settings;
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
    string? _error;

    Attempt? _attempt;
    bool _slotHeld;

    public override string PersistenceId { get; }
    public ITimerScheduler Timers { get; set; } = null!;

    public FedCalibrator(string entityId, NodeSettings settings, IActorRegistry registry)
    {
        PersistenceId = "fed-" + entityId;
        _settings = settings;
        _paths = PathConfinement.Of(settings);
        _registry = registry;
        var self = Akka.Cluster.Cluster.Get(Context.System).SelfAddress;
        _node = $"{self.Host}:{self.Port}";

        Recover<FedAccepted>(Apply);
        Recover<FedAttemptStarted>(Apply);
        Recover<FedSucceeded>(Apply);
        Recover<FedAttemptFailed>(Apply);

        Command<StartFed>(OnStart);
        Command<FedSlotGranted>(_ => BeginAttempt());
        Command<ScanProgressed>(m => { if (Current(m.Attempt) is { } a) a.Progress = m.Progress; });
        Command<PatternsFitted>(OnFitted);
        Command<PatternFitFailed>(m => Fail((int)(m.Sequence >> 32), m.Error));
        Command<ScanEnded>(OnScanEnded);
        Command<AttemptFailed>(m => Fail(m.Attempt, m.Error));
        Command<BuildDone>(OnBuilt);
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
        _phase = FedPhase.Done;
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
        switch (_phase)
        {
            case FedPhase.Queued or FedPhase.Running:
                // Interrupted (node died, hand-off, full restart): run the FED again.
                _phase = FedPhase.Queued;
                RequestSlot();
                break;
            case FedPhase.Done or FedPhase.Failed:
                ReportEnd(alreadyDone: false);
                break;
        }
    }

    void OnStart(StartFed m)
    {
        switch (_phase)
        {
            case FedPhase.Queued or FedPhase.Running:
                ReportProgress();
                break;
            case FedPhase.Done when m.Generation > _generation && m.Force:
            case FedPhase.Done when !ResultIntact():
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

    bool ResultIntact() => _resultPath is { } p && _paths.Problem(p) is null && File.Exists(p) && FileChecksum.Of(p) == _checksum;

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
        FedCalibrationSetup setup;
        FedResultBuilder builder;
        try
        {
            _paths.Check(job.DumpPath);
            setup = SetupCache.For(job.VCalPath, _paths);
            builder = new FedResultBuilder(job.Fed, job.Run, setup);
        }
        catch (Exception e)
        {
            Fail(number, e.Message);
            return;
        }
        var attempt = _attempt = new Attempt(number, builder, _settings.PatternsInFlight);
        var self = Self;
        var pool = _registry.Get<PixelFitPool>();
        // Reading is sequential and blocking: a dedicated thread, not the dispatcher's.
        var readLimit = _settings.ReadLimitMBPerSecond * 1e6;
        Task.Factory.StartNew(() => Scan(job, setup, attempt, self, pool, readLimit),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        ReportProgress();
    }

    static void Scan(FedJob job, FedCalibrationSetup setup, Attempt attempt, IActorRef self, IActorRef pool, double readBytesPerSecond)
    {
        var ct = attempt.Cancel.Token;
        try
        {
            using var scanner = new FedDumpScanner(job.DumpPath, setup, PatternShard.All, readBytesPerSecond);
            if (scanner.Fed != job.Fed || scanner.Run != job.Run)
                throw new InvalidDataException(
                    $"{job.DumpPath}: holds FED {scanner.Fed} of run {scanner.Run}, expected FED {job.Fed} of run {job.Run}");
            long index = 0;
            var batch = new List<PatternCurves>();
            var pixels = 0;
            void Send()
            {
                attempt.InFlight.Wait(ct);
                pool.Tell(new FitPatterns(((long)attempt.Number << 32) | index++, job.VCalPath, batch.ToArray()), self);
                self.Tell(new ScanProgressed(attempt.Number, scanner.Progress));
                batch.Clear();
                pixels = 0;
            }
            while (scanner.TryReadPattern(out var curves))
            {
                // The scanner calibrates the FED its fragment headers name, as the reference does; this entity owns one FED.
                if (curves.Fed != job.Fed)
                    throw new InvalidDataException($"{job.DumpPath}: its fragments are of FED {curves.Fed}, expected FED {job.Fed}");
                batch.Add(curves);
                pixels += curves.PixelCount;
                if (pixels >= BatchPixels) Send();
            }
            if (batch.Count > 0) Send();
            self.Tell(new ScanEnded(attempt.Number, index, scanner.Progress, scanner.ReportText));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            self.Tell(new AttemptFailed(attempt.Number, e.Message));
        }
    }

    /// <summary>A full-size FED pattern (thousands of pixels) travels alone; small ones are grouped up to this.</summary>
    const int BatchPixels = 2048;

    void OnFitted(PatternsFitted m)
    {
        if (Current((int)(m.Sequence >> 32)) is not { } a) return;
        a.Early[m.Sequence & 0xFFFF_FFFF] = m;
        // The builder is fed in pattern order whatever order the workers answer in, so the table
        // cannot depend on scheduling; a slot is freed only once its pattern is added (bounded memory).
        while (a.Early.Remove(a.Next, out var next))
        {
            try
            {
                for (var i = 0; i < next.Curves.Length; i++)
                {
                    a.Builder.Add(next.Curves[i], next.Fits[i]);
                    a.Stats.Add(next.Fits[i]);
                    a.PixelsFitted += next.Fits[i].PixelCount;
                }
            }
            catch (Exception e)
            {
                Fail(a.Number, e.Message);
                return;
            }
            a.Next++;
            a.InFlight.Release();
        }
        MaybeBuild(a);
    }

    void OnScanEnded(ScanEnded m)
    {
        if (Current(m.Attempt) is not { } a) return;
        a.Total = m.Batches;
        a.Progress = m.Progress;
        a.Report = m.Report;
        // The dump is read: the next FED may start reading while this one's last patterns are fitted and its
        // table is built and written (the slots bound concurrent reading, the CPU-heavy part).
        ReleaseSlot();
        MaybeBuild(a);
    }

    void MaybeBuild(Attempt a)
    {
        if (a.Building || a.Total < 0 || a.Next < a.Total || _job is not { } job) return;
        a.Building = true;
        var self = Self;
        var paths = _paths;
        Task.Run(() =>
        {
            var table = a.Builder.Build();
            paths.Check(job.ResultPath);
            paths.Check(job.ReportPath);
            Directory.CreateDirectory(Path.GetDirectoryName(job.ResultPath)!);
            table.Write(job.ResultPath);
            File.WriteAllText(job.ReportPath, a.Report);
            return new BuildDone(a.Number, job.ResultPath, FileChecksum.Of(job.ResultPath), table.RowCount,
                a.Stats.Build(table.RowCount));
        }).PipeTo(self, failure: e => new AttemptFailed(a.Number, (e is AggregateException ae ? ae.InnerException ?? e : e).Message));
    }

    void OnBuilt(BuildDone m)
    {
        if (Current(m.Attempt) is not { } a) return;
        Persist(new FedSucceeded(m.Attempt, m.Path, m.Checksum, m.Pixels, a.Progress.Events, m.Stats), e =>
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
            p.BytesRead, p.Length, p.Events, p.Patterns, _attempt?.PixelsFitted ?? 0));
    }

    /// <summary>For the node's metrics (GainCal.Node's dashboard); local only.</summary>
    void PublishActivity()
    {
        if (_job is { } job)
            Context.System.EventStream.Publish(new FedActivity(job.Run, job.Fed, _attempts, _phase,
                _attempt?.Progress.BytesRead ?? 0, _attempt?.PixelsFitted ?? 0));
    }

    FedEnded? _end;

    void ReportEnd(bool alreadyDone)
    {
        if (_job is not { } job) return;
        _end = new FedEnded(job.Run, job.Fed, _generation, _attempts, _phase == FedPhase.Done,
            _resultPath, _checksum, _pixels, _events, _error, _node, alreadyDone, _phase == FedPhase.Done ? _stats : null);
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
        if (m.Generation != _generation || _phase is not (FedPhase.Done or FedPhase.Failed)) return;
        _end = null;
        Timers.Cancel("tick");
        // Ended and known to the coordinator: stop, and (remember-entities) be forgotten until asked again.
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
    /// <summary>SHA-256 of the file, first 16 bytes in hex: enough to tell a result file from another.</summary>
    public static string Of(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(s).AsSpan(0, 16));
    }
}
