using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using GainCal.Cluster;

namespace GainCal.Tests.Cluster;

public class BusyShardsStayTests
{
    /// <summary>Proposes the same shards every round, as Akka's least-shard strategy does for an unchanged allocation.</summary>
    sealed class FixedProposal(params string[] shards) : IShardAllocationStrategy
    {
        public Task<IActorRef> AllocateShard(IActorRef requester, string shardId,
            IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations) => Task.FromResult(requester);

        public Task<IImmutableSet<string>> Rebalance(IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations,
            IImmutableSet<string> rebalanceInProgress) => Task.FromResult<IImmutableSet<string>>(shards.ToImmutableHashSet());
    }

    [Fact]
    public async Task Busy_shards_stay_and_idle_shards_of_the_same_region_move_in_their_place()
    {
        using var system = ActorSystem.Create("shards", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        var full = system.ActorOf(Props.Empty, "full");
        var joiner = system.ActorOf(Props.Empty, "joiner");
        var allocations = ImmutableDictionary<IActorRef, IImmutableList<string>>.Empty
            .Add(full, ImmutableList.Create("1", "2", "3", "4", "5"))
            .Add(joiner, ImmutableList<string>.Empty);
        var strategy = new BusyShardsStay(new FixedProposal("1", "2"), _ => Task.FromResult<ISet<string>?>(new HashSet<string> { "1", "2", "3" }));

        var moving = await strategy.Rebalance(allocations, ImmutableHashSet.Create("4"));

        // As many shards as proposed leave the full region, none of them running, none already on its way.
        Assert.Equal(["5"], moving.Order());
        var none = new BusyShardsStay(new FixedProposal("1", "2"), _ => Task.FromResult<ISet<string>?>(new HashSet<string>()));
        Assert.Equal(["1", "2"], (await none.Rebalance(allocations, ImmutableHashSet<string>.Empty)).Order());
        var unknown = new BusyShardsStay(new FixedProposal("1", "2"), _ => Task.FromResult<ISet<string>?>(null));
        Assert.Empty(await unknown.Rebalance(allocations, ImmutableHashSet<string>.Empty));
    }
}
