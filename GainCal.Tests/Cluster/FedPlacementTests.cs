using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using GainCal.Cluster;

namespace GainCal.Tests.Cluster;

/// <summary>Placement follows free slots: the registry's decision without Akka, and the shard allocation that carries it out.</summary>
public class FedPlacementTests
{
    static readonly DateTime T0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    static RunRegistry Submitted(uint run, params int[] feds)
    {
        var r = new RunRegistry();
        r.Apply(r.Create(new CreateRun(run, "/in", "/out", null, null, false, feds, []), 0).Event!);
        r.Apply(r.Submit(run).Event!);
        return r;
    }

    /// <summary>The starts due, their placements recorded as the coordinator records them (and into the journal).</summary>
    static List<StartFed> Send(RunRegistry r, Dictionary<string, int> nodes, DateTime now, List<object>? journal = null, bool includeSilent = false)
    {
        var due = r.Due(nodes, now, includeSilent);
        foreach (var placed in due.Select(d => d.Placement).OfType<FedPlaced>())
        {
            r.Apply(placed);
            journal?.Add(placed);
        }
        return due.Select(d => d.Start).ToList();
    }

    static FedEnded End(StartFed s) =>
        new(s.Run, s.Fed, s.Generation, 1, true, $"/out/{s.Fed}.parquet", "ab", 4160, 10, null, s.Node, false, new PixelStatsBuilder().Build(4160));

    [Fact]
    public void Two_nodes_of_one_slot_both_work_from_the_start_and_the_first_to_free_takes_the_next_fed()
    {
        var r = Submitted(1, 1200, 1201, 1202, 1203);
        var nodes = new Dictionary<string, int> { ["a:1"] = 1, ["b:2"] = 1 };

        var first = Send(r, nodes, T0);
        Assert.Equal([(1200, "a:1"), (1201, "b:2")], first.Select(s => (s.Fed, s.Node)));
        // Both slots taken: the other FEDs wait in the registry, behind no node.
        Assert.Empty(Send(r, nodes, T0));

        // b ends first: it takes the next FED at once, while a is still busy.
        r.Apply(r.Ended(End(first[1]))!);
        var next = Assert.Single(Send(r, nodes, T0));
        Assert.Equal((1202, "b:2"), (next.Fed, next.Node));
        r.Apply(r.Ended(End(first[0]))!);
        var last = Assert.Single(Send(r, nodes, T0));
        Assert.Equal((1203, "a:1"), (last.Fed, last.Node));
        Assert.Empty(Send(r, nodes, T0));
    }

    [Fact]
    public void Feds_of_uneven_length_never_wait_while_a_node_has_a_free_slot()
    {
        // Three nodes (2, 1 and 1 slots) and 12 FEDs whose lengths differ: time is stepped from one FED end to the next.
        var feds = Enumerable.Range(1200, 12).ToArray();
        var r = Submitted(2, feds);
        var nodes = new Dictionary<string, int> { ["a:1"] = 2, ["b:2"] = 1, ["c:3"] = 1 };
        var running = new List<(StartFed Start, double Ends)>();
        var started = new List<int>();
        var now = 0.0;
        while (true)
        {
            foreach (var s in Send(r, nodes, T0))
            {
                running.Add((s, now + 1 + s.Fed % 5));
                started.Add(s.Fed);
            }
            // Every slot is busy, or no FED waits.
            var waiting = feds.Length - started.Count;
            Assert.True(waiting == 0 || running.Count == nodes.Values.Sum(), $"at t={now}: {waiting} FEDs wait with {running.Count} of 4 slots busy");
            foreach (var (node, slots) in nodes) Assert.True(running.Count(x => x.Start.Node == node) <= slots);
            if (running.Count == 0) break;
            var end = running.MinBy(x => x.Ends);
            running.Remove(end);
            now = end.Ends;
            r.Apply(r.Ended(End(end.Start))!);
        }
        // Every FED ran once, in the run's order.
        Assert.Equal(feds, started);
    }

    [Fact]
    public void A_fed_stays_placed_across_a_coordinator_restart_and_is_placed_again_once_its_node_is_gone()
    {
        var r = Submitted(3, 1200, 1201, 1202);
        var journal = new List<object>();
        var both = new Dictionary<string, int> { ["a:1"] = 1, ["b:2"] = 1 };
        Assert.Equal(["a:1", "b:2"], Send(r, both, T0, journal).Select(s => s.Node));

        // Rebuilt from its placements (the coordinator moved): each FED is started again on the node it was placed on.
        var rebuilt = Submitted(3, 1200, 1201, 1202);
        foreach (var e in journal) rebuilt.Apply(e);
        var again = rebuilt.Due(both, T0, false);
        Assert.Equal([(1200, "a:1"), (1201, "b:2")], again.Select(d => (d.Start.Fed, d.Start.Node)));
        Assert.All(again, d => Assert.Null(d.Placement));
        var restored = RunRegistry.FromSnapshot(rebuilt.ToSnapshot());
        Assert.Equal(["a:1", "b:2"], restored.Due(both, T0, false).Select(d => d.Start.Node));

        // b is downed (not up, not yet removed): it keeps its FED, gets no new one, and its FED is not placed twice.
        Assert.Empty(rebuilt.Due(new Dictionary<string, int> { ["a:1"] = 1, ["b:2"] = 0 }, T0, false));
        // b is gone and c is up: b's FED is placed anew on c; 1202 still waits for a free slot.
        var moved = Assert.Single(rebuilt.Due(new Dictionary<string, int> { ["a:1"] = 1, ["c:3"] = 1 }, T0, false));
        Assert.Equal(new FedPlaced(3, 1201, 1, "c:3"), moved.Placement);
        Assert.Equal("c:3", moved.Start.Node);
    }

    [Fact]
    public void A_fed_message_goes_to_the_shard_of_its_node()
    {
        var extractor = new FedMessageExtractor();
        var start = new StartFed(new FedJob(400001, 1296, "/in/x.dmp", "/out", null), 1, false, "127.0.0.1:4055");
        Assert.Equal("400001/1296", extractor.EntityId(start));
        Assert.Equal("127.0.0.1:4055", extractor.ShardId(start));
        Assert.Equal("127.0.0.1:4055", extractor.ShardId("400001/1296", start));
        Assert.Equal(FedMessageExtractor.Unplaced, extractor.ShardId("400001/1296"));
        Assert.Null(extractor.ShardId((object)"not a FED message"));
    }

    [Fact]
    public async Task A_node_shard_lives_in_its_node_s_region_and_a_stray_one_goes_home_when_its_node_is_back()
    {
        using var system = ActorSystem.Create("placement", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        var a = system.ActorOf(Props.Empty, "a");
        var b = system.ActorOf(Props.Empty, "b");
        var strategy = new ShardPerNode(region => region.Path.Name);
        var allocations = ImmutableDictionary<IActorRef, IImmutableList<string>>.Empty
            .Add(a, ImmutableList.Create("a", "old-0"))
            .Add(b, ImmutableList<string>.Empty);

        Assert.Equal(b, await strategy.AllocateShard(a, "b", allocations));
        Assert.Equal(a, await strategy.AllocateShard(b, "a", allocations));
        // A node without a region: the shard goes to the least loaded region (where its FEDs will not run).
        Assert.Equal(b, await strategy.AllocateShard(a, "c", allocations));

        // c's shard strayed to b; once c's region is there, only that shard moves (nothing runs in it), home.
        var c = system.ActorOf(Props.Empty, "c");
        var stray = allocations.SetItem(b, ImmutableList.Create("b", "c")).Add(c, ImmutableList<string>.Empty);
        Assert.Equal(["c"], await strategy.Rebalance(stray, ImmutableHashSet<string>.Empty));
        Assert.Empty(await strategy.Rebalance(stray, ImmutableHashSet.Create("c")));
        Assert.Empty(await strategy.Rebalance(allocations, ImmutableHashSet<string>.Empty));
    }
}
