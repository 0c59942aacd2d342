using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;

namespace GainCal.Cluster;

/// <summary>Shard allocation of the aggregator region: new shards go where Akka's default (least shards) puts them,
/// and rebalancing moves only shards in which nothing is at work. Moving a shard stops its entities and starts them on
/// the other node: for a merge under way that is a second attempt. Rebalancing is not switched off altogether: a node
/// that joins later must still be given shards. (FEDs are placed by the run coordinator instead: <see cref="ShardPerNode"/>.)</summary>
public sealed class BusyShardsStay(IShardAllocationStrategy inner, Func<IImmutableDictionary<IActorRef, IImmutableList<string>>, Task<ISet<string>?>> busy)
    : IActorSystemDependentAllocationStrategy
{
    static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Shards with any live entity, as their regions report them.</summary>
    public static async Task<ISet<string>?> LiveEntities(IImmutableDictionary<IActorRef, IImmutableList<string>> allocations)
    {
        var live = new HashSet<string>();
        foreach (var region in allocations.Keys)
            try
            {
                var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, AskTimeout);
                live.UnionWith(state.Shards.Where(s => s.EntityIds.Count > 0).Select(s => s.ShardId));
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            {
                return null;
            }
        return live;
    }

    public void Start(ActorSystem system)
    {
        switch (inner)
        {
            case IActorSystemDependentAllocationStrategy dependent: dependent.Start(system); break;
            case IStartableAllocationStrategy startable: startable.Start(); break;
        }
    }

    public Task<IActorRef> AllocateShard(IActorRef requester, string shardId,
        IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations) =>
        inner.AllocateShard(requester, shardId, currentShardAllocations);

    public async Task<IImmutableSet<string>> Rebalance(IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations,
        IImmutableSet<string> rebalanceInProgress)
    {
        var proposed = await inner.Rebalance(currentShardAllocations, rebalanceInProgress);
        if (proposed.Count == 0) return proposed;
        // Unknown what is at work (no answer in time): nothing moves this round.
        if (await busy(currentShardAllocations) is not { } working) return ImmutableHashSet<string>.Empty;
        var moving = proposed.Except(working);
        // The inner strategy decides how many shards leave which regions; a busy one it picked is replaced by an idle
        // shard of the same region, or it would pick the same busy shards every round and a joiner would never get work.
        var donors = currentShardAllocations.Values.Where(shards => shards.Any(proposed.Contains))
            .SelectMany(shards => shards)
            .Where(shard => !working.Contains(shard) && !moving.Contains(shard) && !rebalanceInProgress.Contains(shard))
            .Take(proposed.Count - moving.Count);
        return moving.Union(donors);
    }
}
