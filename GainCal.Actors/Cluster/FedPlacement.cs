using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;

namespace GainCal.Cluster;

/// <summary>How nodes are named wherever a FED's place is decided or reported: "host:port" of the node's cluster address.</summary>
public static class NodeName
{
    public static string Of(Address address) => $"{address.Host}:{address.Port}";
}

/// <summary>Routes FED messages to entity "&lt;run&gt;/&lt;fed&gt;" in the shard named after the node the run coordinator
/// placed the FED on (<see cref="StartFed.Node"/>), so a FED runs where the coordinator saw a free slot (docs/cluster.md,
/// "placement follows free slots").</summary>
public sealed class FedMessageExtractor : IMessageExtractor
{
    /// <summary>The shard of a FED message that names no node: a FedCalibrator there never runs (it is no node's shard).</summary>
    public const string Unplaced = "unplaced";

    public string? EntityId(object message) => message is IFedMessage m ? FedCalibrator.EntityIdOf(m.Run, m.Fed) : null;

    public object? EntityMessage(object message) => message;

    public string? ShardId(object message) => message is StartFed s ? s.Node : null;

    public string ShardId(string entityId, object? messageHint = null) => messageHint is StartFed s ? s.Node : Unplaced;
}

/// <summary>Shard allocation of the FED region: a shard named after a node lives in that node's region. A shard whose
/// node has no region (it left, or has not registered yet) goes to the region with the fewest shards, where its
/// FedCalibrators refuse to run (<see cref="FedCalibrator"/>: a FED runs only in the shard of its own node), and a
/// rebalance brings it home once its node's region is there. So a rebalance only ever moves shards in which nothing
/// runs, and a running FED is never moved.</summary>
/// <param name="nodeOf">The node of a region; null: from the region's address (the local region's is the node's own).</param>
public sealed class ShardPerNode(Func<IActorRef, string>? nodeOf = null) : IActorSystemDependentAllocationStrategy
{
    Func<IActorRef, string> _nodeOf = nodeOf ?? (_ => "");

    public void Start(ActorSystem system)
    {
        if (nodeOf is not null) return;
        var self = Akka.Cluster.Cluster.Get(system).SelfAddress;
        _nodeOf = region => NodeName.Of(region.Path.Address.HasGlobalScope ? region.Path.Address : self);
    }

    public Task<IActorRef> AllocateShard(IActorRef requester, string shardId,
        IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations) =>
        Task.FromResult(Home(shardId, currentShardAllocations) ?? currentShardAllocations.MinBy(a => a.Value.Count).Key);

    public Task<IImmutableSet<string>> Rebalance(IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations,
        IImmutableSet<string> rebalanceInProgress) =>
        Task.FromResult<IImmutableSet<string>>(currentShardAllocations
            .SelectMany(a => a.Value.Where(shard => shard != _nodeOf(a.Key) && !rebalanceInProgress.Contains(shard)
                                                    && Home(shard, currentShardAllocations) is not null))
            .ToImmutableHashSet());

    IActorRef? Home(string shard, IImmutableDictionary<IActorRef, IImmutableList<string>> allocations) =>
        allocations.Keys.FirstOrDefault(region => _nodeOf(region) == shard);
}
