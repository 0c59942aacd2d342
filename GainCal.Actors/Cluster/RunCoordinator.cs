using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Hosting;
using Akka.Persistence;

namespace GainCal.Cluster;

/// <summary>Where a recovery of the run registry started from, published on the node's event stream and logged.</summary>
public sealed record RunRegistryRecovered(long SnapshotSequenceNr, long EventsReplayed, int Runs);

/// <summary>The run registry's actor (cluster singleton, persistent): persists what <see cref="RunRegistry"/> decides,
/// answers with what it says, sends the FED starts and merge requests it asks for, and snapshots it every
/// <see cref="SnapshotEvery"/> events so that a recovery replays only the events since. It re-sends the start of every FED
/// it has not heard from lately, so a FED whose message or node was lost, and every unfinished FED after the coordinator
/// itself moved or the cluster restarted, runs on. It does no file I/O: the command host scans a run's input before
/// asking it to record the run.</summary>
public sealed class RunCoordinator : ReceivePersistentActor, IWithTimers
{
    public const int SnapshotEvery = 50;

    sealed record Kick;

    readonly IActorRegistry _registry;
    readonly string _node;
    /// <summary>FED slots of the worker nodes that told them (<see cref="NodeSlots"/>: their FED region is ready); a node
    /// not heard from yet gets no FED.</summary>
    readonly Dictionary<string, int> _slots = [];
    /// <summary>The cluster's members as their events said (the cluster's own view may lag behind an event just received);
    /// null until the first full picture came: FEDs are not placed before (an empty view would place every FED anew).</summary>
    Dictionary<UniqueAddress, Member>? _members;
    readonly HashSet<UniqueAddress> _unreachable = [];
    RunRegistry _runs = new();
    long _snapshotAt;
    long _replayed;

    public override string PersistenceId => "run-coordinator";
    public ITimerScheduler Timers { get; set; } = null!;

    public RunCoordinator(IActorRegistry registry)
    {
        _registry = registry;
        _node = NodeName.Of(Akka.Cluster.Cluster.Get(Context.System).SelfAddress);
        Recover<SnapshotOffer>(o =>
        {
            _runs = RunRegistry.FromSnapshot((RunRegistrySnapshot)o.Snapshot);
            _snapshotAt = o.Metadata.SequenceNr;
        });
        Recover<IGainCalMessage>(e =>
        {
            _runs.Apply(e);
            _replayed++;
        });

        Command<CreateRun>(OnCreate);
        Command<SubmitRun>(m => Record(_runs.Submit(m.Run), e => _runs.Submitted(e)));
        Command<ResubmitRun>(m =>
        {
            var decision = _runs.Resubmit(m, out var notes);
            Record(decision, e => RunRegistry.Resubmitted(e, notes));
        });
        Command<PlanMerge>(m => Sender.Tell(_runs.Plan(m.Run)));
        Command<GetRunStatus>(m => Sender.Tell(_runs.View(m.Run, _node) is { } v
            ? new RunStatusReply(null, v)
            : new RunStatusReply(RunRegistry.Unknown(m.Run), null)));
        Command<ListRuns>(m =>
        {
            var busy = _runs.PlacedActive();
            Sender.Tell(new RunList(_runs.Views(m.SubmittedOnly, _node).ToArray(), Workers().OrderBy(w => w.Key, StringComparer.Ordinal)
                .Select(w => new WorkerSlotsView(w.Key, w.Value, busy.GetValueOrDefault(w.Key))).ToArray()));
        });
        Command<FedProgress>(p => _runs.Progressed(p, DateTime.UtcNow));
        Command<NodeSlots>(m =>
        {
            var known = _slots.TryGetValue(m.Node, out var before) && before == m.Slots;
            _slots[m.Node] = m.Slots;
            if (!known) Send(includeSilent: false);
        });
        // A worker that comes up gets FEDs at once; the FEDs of one that left are placed again at once.
        Command<ClusterEvent.CurrentClusterState>(state =>
        {
            _members = state.Members.ToDictionary(m => m.UniqueAddress);
            _unreachable.UnionWith(state.Unreachable.Select(m => m.UniqueAddress));
            Send(includeSilent: false);
        });
        Command<ClusterEvent.IMemberEvent>(e =>
        {
            if (e is ClusterEvent.MemberRemoved)
            {
                _members?.Remove(e.Member.UniqueAddress);
                _unreachable.Remove(e.Member.UniqueAddress);
            }
            else if (_members is not null) _members[e.Member.UniqueAddress] = e.Member;
            Send(includeSilent: false);
        });
        // An unreachable node keeps its FEDs (it may be running them) but gets no new one until it is reachable again.
        Command<ClusterEvent.UnreachableMember>(e => _unreachable.Add(e.Member.UniqueAddress));
        Command<ClusterEvent.ReachableMember>(e =>
        {
            _unreachable.Remove(e.Member.UniqueAddress);
            Send(includeSilent: false);
        });
        Command<FedEnded>(OnEnded);
        Command<RunMerged>(m =>
        {
            if (_runs.Merged(m) is { } e) Persist(e, Applied);
        });
        // The aggregator also answers an automatic merge request like a command; its outcome comes as RunMerged.
        Command<CommandResult>(_ => { });
        Command<Kick>(_ => Send(includeSilent: true));
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => Context.GetLogger().Warning("run registry snapshot failed: {0}", f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    protected override void OnReplaySuccess()
    {
        var recovered = new RunRegistryRecovered(_snapshotAt, _replayed, _runs.Count);
        Context.GetLogger().Info("run registry recovered: {0} runs, snapshot at event {1}, {2} events replayed", recovered.Runs,
            recovered.SnapshotSequenceNr, recovered.EventsReplayed);
        Context.System.EventStream.Publish(recovered);
        Timers.StartPeriodicTimer("kick", new Kick(), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
    }

    protected override void PostStop()
    {
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        base.PostStop();
    }

    void OnCreate(CreateRun c)
    {
        var sender = Sender;
        Record(_runs.Create(c, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), RunRegistry.Created, sender);
    }

    void OnEnded(FedEnded e)
    {
        Sender.Tell(new FedEndedAck(e.Run, e.Fed, e.Generation));
        if (_runs.Ended(e) is { } recorded) Persist(recorded, Applied);
    }

    /// <summary>Persists the decided event and answers once it is stored, or answers at once when there is nothing to record.</summary>
    void Record<TEvent>(Decision<TEvent> decision, Func<TEvent, CommandResult> answer, IActorRef? to = null) where TEvent : class, IGainCalMessage
    {
        var sender = to ?? Sender;
        if (decision.Event is not { } e)
        {
            sender.Tell(decision.Answer!);
            return;
        }
        Persist(e, stored =>
        {
            Applied(stored);
            sender.Tell(answer(stored));
        });
    }

    void Applied(IGainCalMessage e)
    {
        Stored(e);
        Send(includeSilent: false);
    }

    void Stored(IGainCalMessage e)
    {
        _runs.Apply(e);
        if (LastSequenceNr - _snapshotAt >= SnapshotEvery)
        {
            _snapshotAt = LastSequenceNr;
            SaveSnapshot(_runs.ToSnapshot());
        }
    }

    /// <summary>Every worker still a member, with its FED slots: it keeps the FEDs placed on it (one that is downed,
    /// leaving or unreachable may still be running them until it is removed), but only those that are up and reachable,
    /// and have told their slots, get new ones (the others count with 0).</summary>
    Dictionary<string, int> Workers()
    {
        var workers = new Dictionary<string, int>();
        foreach (var m in _members?.Values.Where(m => m.HasRole(NodeSettings.WorkerRole)) ?? [])
        {
            var node = NodeName.Of(m.Address);
            var open = m.Status == MemberStatus.Up && !_unreachable.Contains(m.UniqueAddress);
            workers[node] = Math.Max(workers.GetValueOrDefault(node), open ? _slots.GetValueOrDefault(node) : 0);
        }
        return workers;
    }

    /// <summary>Starts what the registry says is due, on the worker nodes with their FED slots (a FED's
    /// placement is stored before its start is sent: a coordinator that moves sends it to the same node again); and the
    /// merges of runs whose FEDs have all ended.</summary>
    void Send(bool includeSilent)
    {
        var now = DateTime.UtcNow;
        var aggregators = _registry.Get<RunAggregatorRegion>();
        foreach (var merge in _runs.MergesDue(now)) aggregators.Tell(merge);
        if (_members is null) return;
        var feds = _registry.Get<FedRegion>();
        var due = _runs.Due(Workers(), now, includeSilent);
        foreach (var again in due.Where(d => d.Placement is null)) feds.Tell(again.Start);
        var placed = due.Where(d => d.Placement is not null).ToDictionary(d => d.Placement!, d => d.Start);
        if (placed.Count > 0)
            PersistAll(placed.Keys, e =>
            {
                Stored(e);
                feds.Tell(placed[e]);
            });
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
