using GainCal.Detector;
using GainCal.Dump;

namespace GainCal.Cluster;

/// <summary>
/// The runs the coordinator knows and every rule about them, in plain C#: which commands are valid and what they
/// record (a command returns the event to persist, or the answer when there is nothing to record), how events and
/// snapshots build the state, which FEDs are due to be (re)started and which runs to merge. Live progress is kept in
/// memory only. The RunCoordinator actor persists what this decides and sends what it asks for.
/// </summary>
public sealed class RunRegistry
{
    /// <summary>A started FED not heard from for this long is started again (its message or node may be lost). A FED
    /// reports every second while it is queued or running.</summary>
    public static readonly TimeSpan Silence = TimeSpan.FromSeconds(5);
    static readonly TimeSpan MergeRetry = TimeSpan.FromSeconds(30);

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
        public FedHealth? Health;
        public string? Node;
        /// <summary>The node the current request was placed on (persisted: <see cref="FedPlaced"/>); null: not placed yet.</summary>
        public string? Placed;
        public FedProgress? Progress;
        /// <summary>Events read by the FED's last end reported to this registry (in memory, like progress).</summary>
        public long Events;
        /// <summary>First and last report of the current request while running (in memory): the FED's time.</summary>
        public DateTime? RunningSince, RunningUntil;
        public double Seconds => RunningSince is { } from && RunningUntil is { } to ? (to - from).TotalSeconds : 0;
        public DateTime LastHeard;
        /// <summary>Started since this registry was built (in memory: after a move or restart, all are started again).</summary>
        public bool Sent;
        public bool Active => Phase is FedPhase.Pending or FedPhase.Queued or FedPhase.Running;
        public bool Ended => Phase.HasEnded();
        /// <summary>Phase, node and attempt as last reported by the FED (in memory) while it is active, else as recorded.</summary>
        public FedPhase LivePhase => Active && Progress is { } p ? p.Queued ? FedPhase.Queued : FedPhase.Running : Phase;
        public string? LiveNode => Active && Progress is { } p ? p.Node : Node;
        public int LiveAttempts => Active && Progress is { } p ? p.Attempt : Attempts;
    }

    sealed class RunState(RunCreated spec)
    {
        public readonly RunCreated Spec = spec;
        public bool Submitted;
        public readonly SortedDictionary<int, FedState> Feds = new(spec.Feds.ToDictionary(f => f, f => new FedState(f)));
        public MergeOutcomeRecorded? Merge;
        public DateTime MergeRequested;
        public string? MergeRequestedKey;
    }

    readonly SortedDictionary<uint, RunState> _runs = [];

    public int Count => _runs.Count;

    public static string Unknown(uint run) => $"run {run} is not known; create it first (gaincal create {run} -i DIR -o DIR)";

    // ---- commands: the event to persist, or the answer ----

    public Decision<RunCreated> Create(CreateRun c, long nowUnixMs)
    {
        if (c.Run == 0) return CommandResult.Failure("the run number must be a positive integer");
        if (c.Feds.Length == 0) return CommandResult.Failure($"run {c.Run}: no FED to calibrate");
        if (_runs.TryGetValue(c.Run, out var existing))
        {
            var e = existing.Spec;
            return e.InputDir == c.InputDir && e.OutputDir == c.OutputDir && e.VCalTag == c.VCalTag && e.BPixOnly == c.BPixOnly
                   && e.Feds.SequenceEqual(c.Feds) && e.RealignEvents == c.RealignEvents
                   && e.CablingPath == c.CablingPath && e.CablingTag == c.CablingTag && e.Reference == c.Reference
                ? CommandResult.Success($"run {c.Run} was already created with these settings; nothing changed")
                : CommandResult.Failure($"run {c.Run} already exists with other settings (input {e.InputDir}, output {e.OutputDir}, " +
                                        $"VCal tag {e.VCalTag ?? "none"}, {e.Feds.Length} FEDs, cabling {e.CablingPath ?? "the nodes' own"}); " +
                                        "a run's settings cannot be changed" +
                                        (e.VCalPath is null ? "" : $", but its VCal table can: replace {e.VCalPath} and rerun its FEDs " +
                                                                   $"(gaincal resubmit {c.Run} --fed -1 --force)"));
        }
        if (c.Reference is { } reference && uint.TryParse(reference, out var referenceRun) && referenceRun == c.Run)
            return CommandResult.Failure($"run {c.Run} cannot be its own drift reference");
        return new RunCreated(c.Run, c.InputDir, c.OutputDir, c.VCalTag, c.VCalPath, c.BPixOnly, c.Feds, c.MissingFeds, nowUnixMs, c.RealignEvents,
            c.CablingPath, c.CablingTag, c.Reference);
    }

    public static CommandResult Created(RunCreated e)
    {
        var bpix = e.Feds.Count(PixelFeds.IsBPix);
        var lines = new List<string>
        {
            $"run {e.Run} created: {e.Feds.Length} FEDs ({bpix} BPix, {e.Feds.Length - bpix} FPix) from {e.InputDir}",
            $"output directory: {e.OutputDir}",
            e.VCalPath is null ? "VCal: no table (default conversion)" : $"VCal tag {e.VCalTag}: {e.VCalPath}",
        };
        if (e.MissingFeds.Length > 0)
            lines.Add($"{e.MissingFeds.Length} expected FEDs have no dump: {FedList.Format(e.MissingFeds)}");
        if (e.RealignEvents)
            lines.Add("events are placed on the calibration sequence by their L1ID (--realign-events), not in reading order as in the reference");
        if (e.CablingPath is not null) lines.Add($"cabling: {e.CablingPath}{(e.CablingTag is null ? "" : $" (tag {e.CablingTag})")}");
        lines.Add(e.Reference is { } reference
            ? $"drift reference: {(uint.TryParse(reference, out _) ? "run " : "")}{reference}"
            : "drift reference: the previous merged run");
        return CommandResult.Success(lines.ToArray());
    }

    public Decision<RunSubmitted> Submit(uint run)
    {
        if (!_runs.TryGetValue(run, out var r)) return CommandResult.Failure(Unknown(run));
        if (r.Submitted)
            return CommandResult.Unchanged($"run {run} was already submitted ({Counts(r)}); nothing started again" +
                                         (r.Feds.Values.Any(f => f.Phase == FedPhase.Failed) ? $"; failed FEDs: gaincal resubmit {run}" : ""));
        return new RunSubmitted(run);
    }

    public CommandResult Submitted(RunSubmitted e) => CommandResult.Success($"run {e.Run} submitted: {_runs[e.Run].Feds.Count} FEDs");

    /// <summary>The event, with the lines to print before the list of resubmitted FEDs (those not rerun, and why).</summary>
    public Decision<FedsRequested> Resubmit(ResubmitRun m, out string[] notes)
    {
        notes = [];
        if (!_runs.TryGetValue(m.Run, out var r)) return CommandResult.Failure(Unknown(m.Run));
        if (!r.Submitted) return CommandResult.Failure($"run {m.Run} has not been submitted yet; use gaincal submit {m.Run}");
        // run.py's `--fed -1`: every FED of the run.
        var all = m.Feds.Contains(-1);
        var unknown = m.Feds.Where(f => f != -1 && !r.Feds.ContainsKey(f)).Distinct().ToArray();
        if (unknown.Length > 0)
            return CommandResult.Failure(
                $"{(unknown.Length == 1 ? "FED" : "FEDs")} {FedList.Format(unknown)} not in run {m.Run} (its FEDs: {FedList.Format(r.Feds.Keys)})");
        var wanted = all ? r.Feds.Values.ToList()
            : m.Feds.Length > 0 ? m.Feds.Distinct().Order().Select(f => r.Feds[f]).ToList()
            : r.Feds.Values.Where(f => f.Phase == FedPhase.Failed).ToList();
        var lines = new List<string>();
        if (m.Within is { } within)
        {
            // run.py narrows whichever FEDs were chosen to the part (-B/-F); the ones named but left out are said.
            var outside = wanted.Where(f => !within.Contains(f.Fed)).Select(f => f.Fed).ToArray();
            if (outside.Length > 0 && m.Feds.Length > 0 && !all)
                lines.Add($"{(outside.Length == 1 ? "FED" : "FEDs")} {FedList.Format(outside)} not in the -B/-F selection; not resubmitted");
            wanted = wanted.Where(f => within.Contains(f.Fed)).ToList();
        }
        if (wanted.Count == 0)
            return CommandResult.Unchanged([.. lines, $"run {m.Run} has no failed FED{(m.Within is null ? "" : " in the selection")}; nothing resubmitted"]);
        var rerun = new List<int>();
        foreach (var f in wanted)
        {
            if (f.Active) lines.Add($"FED {f.Fed} is {f.LivePhase.ToString().ToLowerInvariant()}; not resubmitted");
            else if (f.Phase.HasTable() && !m.Force) lines.Add($"FED {f.Fed} is {StatusText.Name(f.Phase)}; not rerun (--force recomputes it)");
            else rerun.Add(f.Fed);
        }
        if (rerun.Count == 0) return CommandResult.Unchanged([.. lines, "nothing resubmitted"]);
        notes = lines.ToArray();
        return new FedsRequested(m.Run, rerun.ToArray(), m.Force);
    }

    public static CommandResult Resubmitted(FedsRequested e, string[] notes) =>
        CommandResult.Success([.. notes, $"resubmitted {(e.Feds.Length == 1 ? "FED" : "FEDs")} {FedList.Format(e.Feds)}"]);

    /// <summary>Answers the FED at once (acknowledged either way); the event when its end is news.</summary>
    public FedOutcomeRecorded? Ended(FedEnded e)
    {
        if (!_runs.TryGetValue(e.Run, out var r) || !r.Feds.TryGetValue(e.Fed, out var f)) return null;
        if (e.Generation < f.Generation) return null;   // answer to an older request, a newer one is on its way
        f.Events = e.Events;
        var outcome = FedOutcomeRecorded.From(e);
        if (f.Ended && f.Generation == e.Generation && f.Phase == outcome.Phase
            && f.Checksum == e.Checksum && f.Attempts == e.Attempts && f.Error == e.Error)
            return null;
        return outcome;
    }

    public MergeOutcomeRecorded? Merged(RunMerged m)
    {
        if (!_runs.TryGetValue(m.Run, out var r)) return null;
        if (r.Merge is { } old && old.InputKey == m.InputKey && old.Checksum == m.Checksum && old.Ok == m.Ok) return null;
        return MergeOutcomeRecorded.From(m);
    }

    public void Progressed(FedProgress p, DateTime now)
    {
        if (!_runs.TryGetValue(p.Run, out var r) || !r.Feds.TryGetValue(p.Fed, out var f)) return;
        // Late or stale; the generation only the registry's own events raise.
        if (p.Generation != f.Generation || !f.Active) return;
        f.Progress = p;
        f.LastHeard = now;
        f.Sent = true;
        if (p.Queued) return;
        f.RunningSince ??= now;
        f.RunningUntil = now;
    }

    // ---- events ----

    public void Apply(object e)
    {
        switch (e)
        {
            case RunCreated c:
                _runs[c.Run] = new RunState(c);
                break;
            case RunSubmitted s:
            {
                var r = _runs[s.Run];
                r.Submitted = true;
                foreach (var f in r.Feds.Values)
                {
                    f.Generation = 1;
                    f.Phase = FedPhase.Pending;
                }
                break;
            }
            case FedsRequested q:
            {
                var r = _runs[q.Run];
                foreach (var fed in q.Feds)
                {
                    var f = r.Feds[fed];
                    f.Generation++;
                    f.Force = q.Force;
                    f.Phase = FedPhase.Pending;
                    f.Error = null;
                    f.Progress = null;
                    f.RunningSince = f.RunningUntil = null;
                    f.Events = 0;
                    f.LastHeard = default;
                    f.Sent = false;
                    f.Placed = null;
                }
                break;
            }
            case FedPlaced p:
            {
                var f = _runs[p.Run].Feds[p.Fed];
                if (p.Generation == f.Generation) f.Placed = p.Node;
                break;
            }
            case FedOutcomeRecorded end:
            {
                var f = _runs[end.Run].Feds[end.Fed];
                f.Generation = Math.Max(f.Generation, end.Generation);
                f.Phase = end.Phase;
                f.Attempts = end.Attempts;
                f.Error = end.Error;
                f.ResultPath = end.ResultPath;
                f.Checksum = end.Checksum;
                f.Pixels = end.Pixels;
                f.Stats = end.Stats?.ToStats();
                f.Health = end.Health?.ToHealth();
                f.Node = end.Node;
                f.Progress = null;
                break;
            }
            case MergeOutcomeRecorded m:
                _runs[m.Run].Merge = m;
                break;
            case LegacyFedEndRecorded old:
                Apply(old.ToEvent());
                break;
            case LegacyMergeRecorded old:
                Apply(old.Merge);
                break;
            default:
                throw new ArgumentException($"not an event of the run registry: {e.GetType().Name}");
        }
    }

    // ---- snapshots ----

    /// <summary>What the events so far have built (live progress is not part of it).</summary>
    public RunRegistrySnapshot ToSnapshot() => new(_runs.Values.Select(r => new RecordedRun(r.Spec, r.Submitted,
        r.Feds.Values.Select(f => new RecordedFed(f.Fed, (int)f.Phase, f.Generation, f.Force, f.Attempts,
            f.Error, f.ResultPath, f.Checksum, f.Pixels, f.Stats is { } s ? RecordedStats.From(s) : null, f.Node,
            f.Health is { } h ? RecordedHealth.From(h) : null, f.Placed)).ToArray(),
        r.Merge)).ToArray());

    public static RunRegistry FromSnapshot(RunRegistrySnapshot snapshot)
    {
        var registry = new RunRegistry();
        foreach (var recorded in snapshot.Runs)
        {
            var r = new RunState(recorded.Spec) { Submitted = recorded.Submitted, Merge = recorded.Merge };
            foreach (var x in recorded.Feds)
            {
                var f = r.Feds[x.Fed];
                f.Phase = (FedPhase)x.Phase;
                f.Generation = x.Generation;
                f.Force = x.Force;
                f.Attempts = x.Attempts;
                f.Error = x.Error;
                f.ResultPath = x.ResultPath;
                f.Checksum = x.Checksum;
                f.Pixels = x.Pixels;
                f.Stats = x.Stats?.ToStats();
                f.Health = x.Health?.ToHealth();
                f.Node = x.Node;
                f.Placed = x.Placed;
            }
            registry._runs[r.Spec.Run] = r;
        }
        return registry;
    }

    // ---- what to send ----

    /// <summary>What to send now, given the worker nodes in the cluster and their FED slots (0 for a node that is not up:
    /// it keeps the FEDs placed on it, it gets no new ones). A FED placed on a node is started there: once after this
    /// registry was built, and again when silent for longer than <see cref="Silence"/> (its message or node may be lost).
    /// A FED placed on a node that is no longer in the cluster is placed again. Unplaced FEDs,
    /// oldest run first, are placed on the node with the most free slots (its slots minus the FEDs placed there that have
    /// not ended), and only while some node has a free slot: waiting FEDs wait here, not behind a busy node, so whichever
    /// node's slot frees first takes the next one and no node with a free slot idles while a FED waits.</summary>
    public IReadOnlyList<FedDispatch> Due(IReadOnlyDictionary<string, int> slots, DateTime now, bool includeSilent)
    {
        var sends = new List<FedDispatch>();
        var active = _runs.Values.Where(r => r.Submitted).SelectMany(r => r.Feds.Values.Where(f => f.Active).Select(f => (Run: r, Fed: f))).ToList();
        var load = slots.Keys.ToDictionary(node => node, _ => 0);
        foreach (var (r, f) in active)
        {
            if (f.Placed is not { } node || !load.ContainsKey(node))
            {
                f.Placed = null;
                continue;
            }
            load[node]++;
            if (!f.Sent || includeSilent && now - f.LastHeard > Silence) sends.Add(new FedDispatch(Start(r, f, now), null));
        }
        foreach (var (r, f) in active.Where(x => x.Fed.Placed is null))
        {
            var free = load.Where(l => l.Value < slots[l.Key]).OrderByDescending(l => slots[l.Key] - l.Value)
                .ThenBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key).FirstOrDefault();
            if (free is null) break;
            load[free]++;
            f.Placed = free;
            sends.Add(new FedDispatch(Start(r, f, now), new FedPlaced(r.Spec.Run, f.Fed, f.Generation, free)));
        }
        return sends;
    }

    static StartFed Start(RunState r, FedState f, DateTime now)
    {
        var s = r.Spec;
        f.LastHeard = now;
        f.Sent = true;
        return new StartFed(new FedJob(s.Run, f.Fed, Path.Combine(s.InputDir, new DumpFileName(f.Fed, s.Run).FileName), s.OutputDir, s.VCalPath,
                s.RealignEvents, s.CablingPath, s.CablingTag),
            f.Generation, f.Force, f.Placed!);
    }

    /// <summary>Runs whose every FED has ended, with at least one done and no current merge: the merge to ask for (again
    /// after <see cref="MergeRetry"/> if no answer came).</summary>
    public IReadOnlyList<MergeRunResults> MergesDue(DateTime now, uint? only = null)
    {
        var due = new List<MergeRunResults>();
        foreach (var r in _runs.Values)
        {
            if (only is { } o && r.Spec.Run != o) continue;
            if (!r.Submitted || r.Feds.Values.Any(f => !f.Ended) || r.Feds.Values.All(f => !f.Phase.HasTable())) continue;
            var request = MergeRequest(r);
            if (r.Merge is { } m && m.InputKey == request.InputKey) continue;
            if (r.MergeRequestedKey == request.InputKey && now - r.MergeRequested < MergeRetry) continue;
            r.MergeRequested = now;
            r.MergeRequestedKey = request.InputKey;
            due.Add(request);
        }
        return due;
    }

    public MergePlan Plan(uint run)
    {
        if (!_runs.TryGetValue(run, out var r)) return new MergePlan(Unknown(run), null);
        if (!r.Submitted) return new MergePlan($"run {run} has not been submitted yet", null);
        var active = r.Feds.Values.Count(f => f.Active);
        if (active > 0)
            return new MergePlan($"run {run}: {active} {(active == 1 ? "FED has" : "FEDs have")} not ended yet; merge when all have (gaincal status {run})", null);
        if (r.Feds.Values.All(f => !f.Phase.HasTable()))
            return new MergePlan($"run {run}: no FED is done; nothing to merge", null);
        return new MergePlan(null, MergeRequest(r));
    }

    MergeRunResults MergeRequest(RunState r)
    {
        var (reference, referenceRun) = Reference(r.Spec);
        return new(r.Spec.Run, r.Spec.OutputDir,
            r.Feds.Values.Where(f => f.Phase.HasTable()).Select(f => new FedResultRef(f.Fed, f.ResultPath!, f.Checksum!, f.Stats!)).ToArray(),
            r.Feds.Values.Where(f => f.Phase == FedPhase.Failed).Select(f => f.Fed).ToArray(),
            r.Spec.MissingFeds,
            r.Feds.Values.Where(f => f.Phase == FedPhase.DoneWithWarnings).Select(f => f.Fed).ToArray(),
            reference, referenceRun, r.Spec.CablingPath, r.Spec.CablingTag);
    }

    /// <summary>The calibration a run's merge is compared with: the one named at create (a run's merged table, or a
    /// path), else the merged table of the highest-numbered earlier run that merged; none when there is none yet.</summary>
    (string? Path, uint Run) Reference(RunCreated spec)
    {
        if (spec.Reference is { } named)
        {
            if (!uint.TryParse(named, out var run)) return (named, 0);
            return _runs.TryGetValue(run, out var byNumber) && byNumber.Merge is { Ok: true, MergedPath: { } path } ? (path, run) : (null, run);
        }
        var previous = _runs.Values.Where(x => x.Spec.Run < spec.Run && x.Merge is { Ok: true, MergedPath: not null }).MaxBy(x => x.Spec.Run);
        return previous is null ? (null, 0) : (previous.Merge!.MergedPath, previous.Spec.Run);
    }

    // ---- views ----

    static string Counts(RunState r)
    {
        var g = r.Feds.Values.GroupBy(f => f.LivePhase).OrderBy(x => x.Key).Select(x => $"{x.Count()} {x.Key.ToString().ToLowerInvariant()}");
        return string.Join(", ", g);
    }

    public RunStatusView? View(uint run, string node) => _runs.TryGetValue(run, out var r) ? View(r, node) : null;

    /// <summary>Per node, the FEDs placed on it that have not ended.</summary>
    public IReadOnlyDictionary<string, int> PlacedActive() =>
        _runs.Values.Where(r => r.Submitted).SelectMany(r => r.Feds.Values)
            .Where(f => f.Active && f.Placed is not null).GroupBy(f => f.Placed!).ToDictionary(g => g.Key, g => g.Count());

    public IEnumerable<RunStatusView> Views(bool submittedOnly, string node) =>
        _runs.Values.Where(r => r.Submitted || !submittedOnly).Select(r => View(r, node));

    RunStatusView View(RunState r, string node)
    {
        var s = r.Spec;
        var feds = r.Feds.Values.Select(f => new FedStatusView(f.Fed, f.LivePhase, f.LiveNode, f.LiveAttempts,
            f.Progress?.BytesRead ?? 0, f.Progress?.Length ?? 0, f.Progress?.Events ?? f.Events, f.Progress?.Patterns ?? 0,
            f.Progress?.PixelsFitted ?? 0, f.Error, f.ResultPath, f.Pixels, f.Progress?.PatternsFitted ?? 0,
            f.Phase.HasTable() ? f.Health : null, f.Progress?.PatternCount ?? 0, f.Progress?.ElapsedMs ?? 0,
            f.Stats?.GoodFits ?? 0, Math.Round(f.Seconds, 1))).ToArray();
        var current = r.Merge is { } m && r.Feds.Values.All(f => f.Ended) && m.InputKey == MergeRequest(r).InputKey;
        return new RunStatusView(s.Run, s.InputDir, s.OutputDir, s.VCalTag, s.VCalPath, s.BPixOnly, r.Submitted,
            s.MissingFeds, feds, r.Merge?.ToMessage(), current, node, s.CablingPath, s.CablingTag);
    }
}

/// <summary>A FED start to send (to the shard of <see cref="StartFed.Node"/>), and the placement to record before it is
/// sent; null when the FED was placed before and is started there again.</summary>
public sealed record FedDispatch(StartFed Start, FedPlaced? Placement);

/// <summary>A command's outcome in the registry: an event to persist, or the answer when nothing is to be recorded.</summary>
public readonly struct Decision<TEvent> where TEvent : class
{
    public TEvent? Event { get; }
    public CommandResult? Answer { get; }

    Decision(TEvent? e, CommandResult? answer)
    {
        Event = e;
        Answer = answer;
    }

    public static implicit operator Decision<TEvent>(TEvent e) => new(e, null);
    public static implicit operator Decision<TEvent>(CommandResult answer) => new(null, answer);
}
