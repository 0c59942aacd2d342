using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence;
using GainCal.Calibration;
using GainCal.Detector;
using GainCal.Dump;

namespace GainCal.Cluster;

/// <summary>The run registry (cluster singleton, persistent): what `create` recorded for each run, which
/// FEDs were requested (and how often), and how each FED ended. Live progress is kept in memory only.
/// It re-sends the start of every FED it has not heard from lately, so a FED whose message or node was
/// lost, and every unfinished FED after the coordinator itself moved or the cluster restarted, runs on.</summary>
public sealed class RunCoordinator : ReceivePersistentActor, IWithTimers
{
    sealed record Kick;

    sealed class FedState(int fed)
    {
        public readonly int Fed = fed;
        public FedPhase Phase = FedPhase.Created;
        public int Generation;
        public bool Force;
        public int Attempts;
        public string? Error;
        public string? ResultPath;
        public string? Checksum;
        public int Pixels;
        public PixelStats? Stats;
        public string? Node;
        public FedProgress? Progress;
        public DateTime LastHeard;
        /// <summary>Started since this coordinator instance began (in memory: after a move, all are re-sent).</summary>
        public bool Sent;
        public bool Active => Phase is FedPhase.Pending or FedPhase.Queued or FedPhase.Running;
        public bool Ended => Phase is FedPhase.Done or FedPhase.Failed;
    }

    sealed class RunState(RunCreated spec)
    {
        public readonly RunCreated Spec = spec;
        public bool Submitted;
        public readonly SortedDictionary<int, FedState> Feds = new(spec.Feds.ToDictionary(f => f, f => new FedState(f)));
        public RunMerged? Merge;
        public DateTime MergeRequested;
        public string? MergeRequestedKey;
    }

    static readonly TimeSpan Silence = TimeSpan.FromSeconds(10);
    static readonly TimeSpan MergeRetry = TimeSpan.FromSeconds(30);

    readonly IActorRegistry _registry;
    readonly PathConfinement _paths;
    readonly int _maxFeds;
    readonly string _node;
    readonly SortedDictionary<uint, RunState> _runs = [];

    public override string PersistenceId => "run-coordinator";
    public ITimerScheduler Timers { get; set; } = null!;

    public RunCoordinator(NodeSettings settings, IActorRegistry registry)
    {
        _registry = registry;
        _paths = PathConfinement.Of(settings);
        _maxFeds = settings.MaxFeds;
        var self = Akka.Cluster.Cluster.Get(Context.System).SelfAddress;
        _node = $"{self.Host}:{self.Port}";
        Recover<RunCreated>(Apply);
        Recover<RunSubmitted>(Apply);
        Recover<FedsRequested>(Apply);
        Recover<FedEndRecorded>(Apply);
        Recover<MergeRecorded>(Apply);

        Command<CreateRun>(OnCreate);
        Command<SubmitRun>(OnSubmit);
        Command<ResubmitRun>(OnResubmit);
        Command<PlanMerge>(m => Sender.Tell(Plan(m.Run)));
        Command<GetRunStatus>(m => Sender.Tell(_runs.TryGetValue(m.Run, out var r)
            ? new RunStatusReply(null, View(r))
            : new RunStatusReply(Unknown(m.Run), null)));
        Command<ListRuns>(m => Sender.Tell(new RunList(_runs.Values.Where(r => r.Submitted || !m.SubmittedOnly).Select(View).ToArray())));
        Command<FedProgress>(OnProgress);
        Command<FedEnded>(OnEnded);
        Command<RunMerged>(OnMerged);
        // The aggregator also answers an automatic merge request like a command; its outcome comes as RunMerged.
        Command<CommandResult>(_ => { });
        Command<Kick>(_ => OnKick());
    }

    IActorRef Feds => _registry.Get<FedRegion>();
    IActorRef Aggregators => _registry.Get<RunAggregatorRegion>();

    protected override void OnReplaySuccess() =>
        Timers.StartPeriodicTimer("kick", new Kick(), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));

    static string Unknown(uint run) => $"run {run} is not known; create it first (gaincal create {run} -i DIR -o DIR)";

    // ---- events ----

    void Apply(RunCreated e) => _runs[e.Run] = new RunState(e);

    void Apply(RunSubmitted e)
    {
        var r = _runs[e.Run];
        r.Submitted = true;
        foreach (var f in r.Feds.Values)
        {
            f.Generation = 1;
            f.Phase = FedPhase.Pending;
        }
    }

    void Apply(FedsRequested e)
    {
        var r = _runs[e.Run];
        foreach (var fed in e.Feds)
        {
            var f = r.Feds[fed];
            f.Generation++;
            f.Force = e.Force;
            f.Phase = FedPhase.Pending;
            f.Error = null;
            f.Progress = null;
            f.LastHeard = default;
        }
    }

    void Apply(FedEndRecorded e)
    {
        var end = e.End;
        var f = _runs[end.Run].Feds[end.Fed];
        f.Generation = Math.Max(f.Generation, end.Generation);
        f.Phase = end.Ok ? FedPhase.Done : FedPhase.Failed;
        f.Attempts = end.Attempts;
        f.Error = end.Error;
        f.ResultPath = end.ResultPath;
        f.Checksum = end.Checksum;
        f.Pixels = end.Pixels;
        f.Stats = end.Stats;
        f.Node = end.Node;
        f.Progress = null;
    }

    void Apply(MergeRecorded e) => _runs[e.Merge.Run].Merge = e.Merge;

    // ---- commands ----

    void OnCreate(CreateRun c)
    {
        var spec = Scan(c, _paths, out var error);
        if (spec is null)
        {
            Sender.Tell(CommandResult.Failure(error!));
            return;
        }
        if (_runs.TryGetValue(c.Run, out var existing))
        {
            var e = existing.Spec;
            Sender.Tell(e.InputDir == spec.InputDir && e.OutputDir == spec.OutputDir && e.VCalTag == spec.VCalTag
                        && e.BPixOnly == spec.BPixOnly && e.Feds.SequenceEqual(spec.Feds)
                ? CommandResult.Success($"run {c.Run} was already created with these settings; nothing changed")
                : CommandResult.Failure($"run {c.Run} already exists with other settings (input {e.InputDir}, output {e.OutputDir}, " +
                                        $"VCal tag {e.VCalTag ?? "none"}, {e.Feds.Length} FEDs); a run's settings cannot be changed" +
                                        (e.VCalPath is null ? "" : $", but its VCal table can: replace {e.VCalPath} and rerun its FEDs " +
                                                                   $"(gaincal resubmit {c.Run} --fed -1 --force)")));
            return;
        }
        if (RunOutputTree.ResultsWithoutRun(c.Run, spec.OutputDir) is { } orphaned)
        {
            Sender.Tell(CommandResult.Failure(orphaned));
            return;
        }
        try
        {
            Directory.CreateDirectory(Path.Combine(spec.OutputDir, "fed"));
        }
        catch (Exception ex)
        {
            Sender.Tell(CommandResult.Failure($"{spec.OutputDir}: cannot create the output directory: {ex.Message}"));
            return;
        }
        var sender = Sender;
        Persist(spec, e =>
        {
            Apply(e);
            WriteConfig(e);
            var bpix = e.Feds.Count(PixelFeds.IsBPix);
            var lines = new List<string>
            {
                $"run {e.Run} created: {e.Feds.Length} FEDs ({bpix} BPix, {e.Feds.Length - bpix} FPix) from {e.InputDir}",
                $"output directory: {e.OutputDir}",
                e.VCalPath is null ? "VCal: no table (default conversion)" : $"VCal tag {e.VCalTag}: {e.VCalPath}",
            };
            if (e.MissingFeds.Length > 0)
                lines.Add($"{e.MissingFeds.Length} expected FEDs have no dump: {FedList.Format(e.MissingFeds)}");
            sender.Tell(CommandResult.Success(lines.ToArray()));
        });
    }

    static RunCreated? Scan(CreateRun c, PathConfinement paths, out string? error)
    {
        error = null;
        if (c.Run == 0)
        {
            error = "the run number must be a positive integer";
            return null;
        }
        var input = Path.GetFullPath(c.InputDir);
        var output = Path.Combine(Path.GetFullPath(c.OutputDir), $"GainRun_{c.Run}");
        if ((error = paths.Problem(input) ?? paths.Problem(output)) is not null) return null;
        if (!Directory.Exists(input))
        {
            error = $"{input}: input directory does not exist";
            return null;
        }
        var found = new SortedSet<int>();
        foreach (var file in Directory.EnumerateFiles(input, "GainCalibration_*.dmp"))
            if (DumpFileName.TryParse(file, out var name) && name!.Run == c.Run && PixelFeds.IsPixelFed(name.Fed)
                && (!c.BPixOnly || PixelFeds.IsBPix(name.Fed)))
                found.Add(name.Fed);
        if (found.Count == 0)
        {
            error = $"{input}: no GainCalibration_<FED>_{c.Run}.dmp file of a {(c.BPixOnly ? "BPix" : "pixel")} FED";
            return null;
        }
        string? vcal = null;
        if (!string.IsNullOrEmpty(c.VCalTag) && (vcal = ResolveVCal(c.VCalTag, input)) is null)
        {
            error = $"VCal tag {c.VCalTag}: no file {c.VCalTag} or {c.VCalTag}.* in {input} or its parent";
            return null;
        }
        // Read the table now: a bad one would fail every FED, and a recorded run cannot be given another.
        if (vcal is not null && (paths.Problem(vcal) ?? VCalProblem(vcal)) is { } problem)
        {
            error = $"VCal tag {c.VCalTag}: {problem}";
            return null;
        }
        var expected = c.BPixOnly ? PixelFeds.BPix : PixelFeds.All;
        return new RunCreated(c.Run, input, output,
            string.IsNullOrEmpty(c.VCalTag) ? null : c.VCalTag, vcal, c.BPixOnly, found.ToArray(),
            expected.Where(f => !found.Contains(f)).ToArray(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    /// <summary>The reference copies &lt;VCALTAG&gt;.db from beside the run directory: a tag is a file path, or
    /// a file named after it (any extension) in the input directory or its parent.</summary>
    static string? ResolveVCal(string tag, string input)
    {
        if (File.Exists(tag)) return Path.GetFullPath(tag);
        foreach (var dir in new[] { input, Path.GetDirectoryName(input) }.OfType<string>())
        {
            var hit = Directory.EnumerateFiles(dir)
                .FirstOrDefault(f => Path.GetFileName(f) == tag || Path.GetFileNameWithoutExtension(f) == tag);
            if (hit is not null) return hit;
        }
        return null;
    }

    static string? VCalProblem(string path)
    {
        try
        {
            VCalTable.Load(path);
            return null;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }

    static void WriteConfig(RunCreated e)
    {
        var json = JsonSerializer.Serialize(new
        {
            run = e.Run, indir = e.InputDir, outdir = e.OutputDir, vcaltag = e.VCalTag, vcalfile = e.VCalPath,
            bpixonly = e.BPixOnly, feds = e.Feds, missing = e.MissingFeds,
        }, new JsonSerializerOptions { WriteIndented = true });
        File.WriteAllText(Path.Combine(e.OutputDir, "config.json"), json);
    }

    void OnSubmit(SubmitRun s)
    {
        if (!_runs.TryGetValue(s.Run, out var r))
        {
            Sender.Tell(CommandResult.Failure(Unknown(s.Run)));
            return;
        }
        if (r.Submitted)
        {
            Sender.Tell(CommandResult.Success($"run {s.Run} was already submitted ({Counts(r)}); nothing started again" +
                                              (r.Feds.Values.Any(f => f.Phase == FedPhase.Failed) ? $"; failed FEDs: gaincal resubmit {s.Run}" : "")));
            return;
        }
        var sender = Sender;
        Persist(new RunSubmitted(s.Run), e =>
        {
            Apply(e);
            Dispatch();
            sender.Tell(CommandResult.Success($"run {s.Run} submitted: {r.Feds.Count} FEDs"));
        });
    }

    void OnResubmit(ResubmitRun m)
    {
        if (!_runs.TryGetValue(m.Run, out var r))
        {
            Sender.Tell(CommandResult.Failure(Unknown(m.Run)));
            return;
        }
        if (!r.Submitted)
        {
            Sender.Tell(CommandResult.Failure($"run {m.Run} has not been submitted yet; use gaincal submit {m.Run}"));
            return;
        }
        // run.py's `--fed -1`: every FED of the run.
        var all = m.Feds.Contains(-1);
        var unknown = m.Feds.Where(f => f != -1 && !r.Feds.ContainsKey(f)).Distinct().ToArray();
        if (unknown.Length > 0)
        {
            Sender.Tell(CommandResult.Failure(
                $"{(unknown.Length == 1 ? "FED" : "FEDs")} {FedList.Format(unknown)} not in run {m.Run} (its FEDs: {FedList.Format(r.Feds.Keys)})"));
            return;
        }
        var wanted = all ? r.Feds.Values.ToList()
            : m.Feds.Length > 0 ? m.Feds.Distinct().Order().Select(f => r.Feds[f]).ToList()
            : r.Feds.Values.Where(f => f.Phase == FedPhase.Failed).ToList();
        if (wanted.Count == 0)
        {
            Sender.Tell(CommandResult.Success($"run {m.Run} has no failed FED; nothing resubmitted"));
            return;
        }
        var lines = new List<string>();
        var rerun = new List<int>();
        foreach (var f in wanted)
        {
            if (f.Active) lines.Add($"FED {f.Fed} is {f.Phase.ToString().ToLowerInvariant()}; not resubmitted");
            else if (f.Phase == FedPhase.Done && !m.Force) lines.Add($"FED {f.Fed} is done; not rerun (--force recomputes it)");
            else rerun.Add(f.Fed);
        }
        if (rerun.Count == 0)
        {
            lines.Add("nothing resubmitted");
            Sender.Tell(CommandResult.Success(lines.ToArray()));
            return;
        }
        var sender = Sender;
        Persist(new FedsRequested(m.Run, rerun.ToArray(), m.Force), e =>
        {
            Apply(e);
            foreach (var fed in e.Feds) r.Feds[fed].Sent = false;
            Dispatch();
            lines.Add($"resubmitted {(rerun.Count == 1 ? "FED" : "FEDs")} {FedList.Format(rerun)}");
            sender.Tell(CommandResult.Success(lines.ToArray()));
        });
    }

    void Start(RunState r, FedState f)
    {
        var s = r.Spec;
        var job = new FedJob(s.Run, f.Fed, Path.Combine(s.InputDir, new DumpFileName(f.Fed, s.Run).FileName), s.OutputDir, s.VCalPath);
        f.LastHeard = DateTime.UtcNow;
        f.Sent = true;
        Feds.Tell(new StartFed(job, f.Generation, f.Force));
    }

    MergePlan Plan(uint run)
    {
        if (!_runs.TryGetValue(run, out var r)) return new MergePlan(Unknown(run), null);
        if (!r.Submitted) return new MergePlan($"run {run} has not been submitted yet", null);
        var active = r.Feds.Values.Count(f => f.Active);
        if (active > 0)
            return new MergePlan($"run {run}: {active} {(active == 1 ? "FED has" : "FEDs have")} not ended yet; merge when all have (gaincal status {run})", null);
        if (r.Feds.Values.All(f => f.Phase != FedPhase.Done))
            return new MergePlan($"run {run}: no FED is done; nothing to merge", null);
        return new MergePlan(null, MergeRequest(r));
    }

    static MergeRunResults MergeRequest(RunState r) =>
        new(r.Spec.Run, r.Spec.OutputDir,
            r.Feds.Values.Where(f => f.Phase == FedPhase.Done).Select(f => new FedResultRef(f.Fed, f.ResultPath!, f.Checksum!, f.Stats!)).ToArray(),
            r.Feds.Values.Where(f => f.Phase == FedPhase.Failed).Select(f => f.Fed).ToArray(),
            r.Spec.MissingFeds);

    void OnProgress(FedProgress p)
    {
        if (!_runs.TryGetValue(p.Run, out var r) || !r.Feds.TryGetValue(p.Fed, out var f)) return;
        if (p.Generation < f.Generation || (f.Ended && p.Generation == f.Generation)) return;   // late or stale
        f.Generation = p.Generation;
        f.Phase = p.Queued ? FedPhase.Queued : FedPhase.Running;
        f.Node = p.Node;
        f.Attempts = p.Attempt;
        f.Progress = p;
        f.LastHeard = DateTime.UtcNow;
        f.Sent = true;
    }

    void OnEnded(FedEnded e)
    {
        Sender.Tell(new FedEndedAck(e.Run, e.Fed, e.Generation));
        if (!_runs.TryGetValue(e.Run, out var r) || !r.Feds.TryGetValue(e.Fed, out var f)) return;
        if (e.Generation < f.Generation) return;   // answer to an older request, a newer one is on its way
        if (f.Ended && f.Generation == e.Generation && f.Phase == (e.Ok ? FedPhase.Done : FedPhase.Failed)
            && f.Checksum == e.Checksum && f.Attempts == e.Attempts && f.Error == e.Error)
            return;
        Persist(new FedEndRecorded(e), ev =>
        {
            Apply(ev);
            Dispatch();
            MaybeMerge(r);
        });
    }

    void OnMerged(RunMerged m)
    {
        if (!_runs.TryGetValue(m.Run, out var r) || r.Merge == m
            || (r.Merge is { } old && old.InputKey == m.InputKey && old.Checksum == m.Checksum && old.Ok == m.Ok)) return;
        Persist(new MergeRecorded(m), Apply);
    }

    void MaybeMerge(RunState r)
    {
        if (!r.Submitted || r.Feds.Values.Any(f => !f.Ended) || r.Feds.Values.All(f => f.Phase != FedPhase.Done)) return;
        var request = MergeRequest(r);
        if (r.Merge is { } m && m.InputKey == request.InputKey) return;
        if (r.MergeRequestedKey == request.InputKey && DateTime.UtcNow - r.MergeRequested < MergeRetry) return;
        r.MergeRequested = DateTime.UtcNow;
        r.MergeRequestedKey = request.InputKey;
        Aggregators.Tell(request);
    }

    void OnKick()
    {
        var now = DateTime.UtcNow;
        foreach (var r in _runs.Values.Where(r => r.Submitted))
        {
            foreach (var f in r.Feds.Values.Where(f => f.Active && f.Sent && now - f.LastHeard > Silence))
                Start(r, f);
            MaybeMerge(r);
        }
        Dispatch();
    }

    /// <summary>Starts waiting FEDs, oldest run first, while fewer than four times the cluster's FED slots are
    /// started and unfinished: a run of 108 FEDs does not wake 108 persistent entities at once (a burst of
    /// journal traffic that delays the first FEDs), and every slot keeps FEDs queued behind it, so the start of
    /// the next FED (entity recovery, two journal writes) overlaps the current one.</summary>
    void Dispatch()
    {
        var workers = Akka.Cluster.Cluster.Get(Context.System).State.Members
            .Count(m => m.Status == Akka.Cluster.MemberStatus.Up && m.HasRole(NodeSettings.WorkerRole));
        var room = 4 * _maxFeds * Math.Max(1, workers)
                   - _runs.Values.Sum(r => r.Feds.Values.Count(f => f.Active && f.Sent));
        foreach (var r in _runs.Values.Where(r => r.Submitted))
            foreach (var f in r.Feds.Values.Where(f => f.Active && !f.Sent))
            {
                if (room-- <= 0) return;
                Start(r, f);
            }
    }

    // ---- views ----

    static string Counts(RunState r)
    {
        var g = r.Feds.Values.GroupBy(f => f.Phase).OrderBy(x => x.Key).Select(x => $"{x.Count()} {x.Key.ToString().ToLowerInvariant()}");
        return string.Join(", ", g);
    }

    RunStatusView View(RunState r)
    {
        var s = r.Spec;
        var feds = r.Feds.Values.Select(f => new FedStatusView(f.Fed, f.Phase, f.Node, f.Attempts,
            f.Progress?.BytesRead ?? 0, f.Progress?.Length ?? 0, f.Progress?.Events ?? 0, f.Progress?.Patterns ?? 0,
            f.Progress?.PixelsFitted ?? 0, f.Error, f.ResultPath, f.Pixels)).ToArray();
        var current = r.Merge is { } m && r.Feds.Values.All(f => f.Ended) && m.InputKey == MergeRequest(r).InputKey;
        return new RunStatusView(s.Run, s.InputDir, s.OutputDir, s.VCalTag, s.VCalPath, s.BPixOnly, r.Submitted,
            s.MissingFeds, feds, r.Merge, current, _node);
    }
}

/// <summary>FED lists as operators write them: "1200-1209, 1212".</summary>
public static class FedList
{
    public static string Format(IEnumerable<int> feds)
    {
        var sorted = feds.Distinct().Order().ToArray();
        var parts = new List<string>();
        for (var i = 0; i < sorted.Length;)
        {
            var j = i;
            while (j + 1 < sorted.Length && sorted[j + 1] == sorted[j] + 1) j++;
            parts.Add(j == i ? $"{sorted[i]}" : j == i + 1 ? $"{sorted[i]}, {sorted[j]}" : $"{sorted[i]}-{sorted[j]}");
            i = j + 1;
        }
        return string.Join(", ", parts);
    }
}
