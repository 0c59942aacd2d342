using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence;
using GainCal.Reports;
using GainCal.Results;

namespace GainCal.Cluster;

/// <summary>One run's merge (entity "&lt;run&gt;", persistent): merges the done FEDs' tables into
/// &lt;outdir&gt;/GainCalibration.parquet (the reference's hadd) off the actor thread, records what it produced
/// and from which inputs (its own event, <see cref="MergeOutcomeRecorded"/>; a snapshot every <see cref="SnapshotEvery"/>
/// merges), and answers a repeated request with the same inputs from that record.</summary>
public sealed class RunAggregator : ReceivePersistentActor
{
    public const int SnapshotEvery = 10;

    sealed record Finished(RunMerged Result);

    readonly IActorRegistry _registry;
    readonly PathConfinement _paths;
    readonly DriftThresholds _drift;
    MergeOutcomeRecorded? _last;
    long _snapshotAt;
    MergeRunResults? _merging;
    MergeRunResults? _next;
    readonly List<IActorRef> _waiting = [];

    public override string PersistenceId { get; }

    public RunAggregator(string entityId, NodeSettings settings, IActorRegistry registry)
    {
        PersistenceId = "run-aggregator-" + entityId;
        _registry = registry;
        _paths = PathConfinement.Of(settings);
        _drift = settings.DriftThresholds;
        Recover<SnapshotOffer>(o =>
        {
            _last = ((RunAggregatorSnapshot)o.Snapshot).Last;
            _snapshotAt = o.Metadata.SequenceNr;
        });
        Recover<MergeOutcomeRecorded>(m => _last = m);
        Recover<LegacyRunMerged>(m => _last = m.ToEvent());
        Command<MergeRunResults>(OnMerge);
        Command<Finished>(OnFinished);
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(_ => { });
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    void OnMerge(MergeRunResults m)
    {
        if (_merging is null && _last is { Ok: true } last && last.InputKey == m.InputKey
            && last.MergedPath is { } p && _paths.Problem(p) is null && FileChecksum.Exists(p) && FileChecksum.Of(p) == last.Checksum)
        {
            Sender.Tell(Describe(last.ToMessage(), reused: true));
            _registry.Get<RunCoordinatorProxy>().Tell(last.ToMessage());
            return;
        }
        if (!Sender.IsNobody() && !Sender.Equals(Context.System.DeadLetters)) _waiting.Add(Sender);
        if (_merging is null) Start(m);
        else if (_merging.InputKey != m.InputKey) _next = m;
    }

    void Start(MergeRunResults m)
    {
        _merging = m;
        var self = Self;
        var paths = _paths;
        var drift = _drift;
        Task.Run(() => Merge(m, paths, drift)).PipeTo(self);
    }

    static Finished Merge(MergeRunResults m, PathConfinement paths, DriftThresholds thresholds)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var feds = m.Results.Select(r => r.Fed).Order().ToArray();
        try
        {
            var layout = new RunLayout(m.OutputDir);
            foreach (var path in m.Results.Select(r => r.Path).Append(m.MergedPath).Append(layout.MergedSummary).Append(layout.MergedSummaryData)
                         .Append(layout.MergedDrift))
                paths.Check(path);
            VerifyInputs(m);
            // A whole run is ~124 M pixels: merge file by file (one FED in memory), summarise each FED table as it
            // passes (the drift check's input and the next run's reference), and combine the FEDs' statistics instead
            // of reading the merged table back.
            var builder = new SummaryBuilder(m.Run);
            PixelTable.MergeFiles(m.Results.Select(r => r.Path).ToList(), m.MergedPath, WithAbsentModules(m.Completeness, CablingOf(m, paths)), builder.Add);
            var runSummary = builder.Build();
            ReferenceSummary.Write(runSummary, layout.MergedSummaryData);
            var drift = Drift(m, runSummary, thresholds, paths, layout);
            var stats = PixelStats.Combine(m.Results.Select(r => r.Stats));
            var summary = stats.ToText();
            RunLayout.WriteText(layout.MergedSummary, summary + "\n");
            return new Finished(new RunMerged(m.Run, true, m.InputKey, m.MergedPath, FileChecksum.Of(m.MergedPath), feds,
                m.FailedFeds, m.MissingFeds, (int)stats.Pixels, summary, null, now, m.WarnedFeds ?? [], drift));
        }
        catch (Exception e)
        {
            return new Finished(new RunMerged(m.Run, false, m.InputKey, null, null, feds, m.FailedFeds, m.MissingFeds, 0, null,
                e.Message, now, m.WarnedFeds ?? []));
        }
    }


    /// <summary>The run compared with its reference (Reports.DriftCheck, the comparison `summary --reference` makes), written
    /// beside the merged table for `summary`; null without a reference. A reference that cannot be read does not fail the
    /// merge: the view says why.</summary>
    static DriftView? Drift(MergeRunResults m, RunSummary run, DriftThresholds thresholds, PathConfinement paths, RunLayout layout)
    {
        // A drift file of an earlier merge of the run must not outlive it (the storage has no delete: on XRootD it stays,
        // and summary tells it apart only by its run).
        if (!layout.IsRemote && File.Exists(layout.MergedDrift)) File.Delete(layout.MergedDrift);
        if (m.Reference is not { } reference) return null;
        RunDrift drift;
        try
        {
            paths.Check(reference);
            drift = DriftCheck.Compare(run, ReferenceSummary.Load(reference), thresholds);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or InvalidOperationException)
        {
            return DriftView.Failed(m.ReferenceRun, reference, e.Message);
        }
        ReferenceSummary.WriteDrift(drift, layout.MergedDrift);
        return DriftView.From(drift, reference);
    }

    /// <summary>The cabling the run's FEDs were calibrated with: its own (create --cabling, read from under the node's
    /// roots, cached as for its FEDs), else the node's.</summary>
    public static Detector.CablingMap CablingOf(MergeRunResults m, PathConfinement paths) =>
        m.CablingPath is null ? SetupCache.Cabling : SetupCache.For(null, paths, m.CablingPath, m.CablingTag).Cabling;

    /// <summary>The completeness with the modules the cabling puts on its failed and missing FEDs.</summary>
    public static RunCompleteness WithAbsentModules(RunCompleteness c, Detector.CablingMap cabling) => c with
    {
        AbsentModules = c.Absent.Where(cabling.Contains).SelectMany(f => cabling.ForFed(f).Modules).Select(d => d.Raw).Distinct().Order().ToArray(),
    };

    /// <summary>Every FED table is still the one recorded when its FED ended; a missing or changed one names the
    /// command that recomputes it.</summary>
    public static void VerifyInputs(MergeRunResults m)
    {
        foreach (var r in m.Results)
        {
            var recompute = $"recompute it with gaincal resubmit {m.Run} --fed {r.Fed} --force";
            string sum;
            try
            {
                sum = FileChecksum.Of(r.Path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidDataException($"FED {r.Fed}: {e.Message}; {recompute}", e);
            }
            if (sum != r.Checksum)
                throw new InvalidDataException($"{r.Path}: checksum {sum} differs from the one recorded when FED {r.Fed} ended ({r.Checksum}); {recompute}");
        }
    }

    void OnFinished(Finished f)
    {
        Persist(MergeOutcomeRecorded.From(f.Result), recorded =>
        {
            var r = f.Result;
            _last = recorded;
            if (LastSequenceNr - _snapshotAt >= SnapshotEvery)
            {
                _snapshotAt = LastSequenceNr;
                SaveSnapshot(new RunAggregatorSnapshot(recorded));
            }
            _merging = null;
            foreach (var w in _waiting) w.Tell(Describe(r, reused: false));
            _waiting.Clear();
            _registry.Get<RunCoordinatorProxy>().Tell(r);
            if (_next is { } next)
            {
                _next = null;
                Start(next);
            }
        });
    }

    public static CommandResult Describe(RunMerged r, bool reused)
    {
        if (!r.Ok) return CommandResult.Failure($"run {r.Run}: merge failed: {r.Error}");
        var lines = new List<string>
        {
            reused
                ? $"run {r.Run}: already merged from the same FED results: {r.MergedPath} ({r.Rows} pixels, {r.MergedFeds.Length} FEDs); nothing redone"
                : $"run {r.Run}: merged {r.MergedFeds.Length} FEDs into {r.MergedPath} ({r.Rows} pixels)",
        };
        if (r.Completeness.Partial) lines.Add(r.Completeness.Headline() + "; the merged table records it, and payload refuses it unless --allow-missing");
        lines.AddRange(r.Completeness.Lines());
        if (r.Summary is { } s) lines.AddRange(s.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')));
        lines.AddRange(StatusText.DriftLines(r.Drift));
        return new CommandResult(true, lines.ToArray(), NothingDone: reused);
    }
}
