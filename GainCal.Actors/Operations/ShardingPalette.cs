using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using GainCal.Cluster;

namespace GainCal.Operations;

/// <summary>Petabridge.Cmd's `cluster-sharding` palette. Statistics come from a real shard region: a proxy
/// answers them with nothing (akka.net#3746), so a node that only proxies a type (role seed) asks the region
/// of a member that hosts it.</summary>
public sealed class ShardingPalette(ActorSystem system) : CommandPalette
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    static readonly CommandOption Region = new("-r", "TYPE", "shard region type name (cluster-sharding regions lists them)", Required: true);

    public override string Name => "cluster-sharding";
    public override string Description => "shard regions, shards and entities (Akka.Cluster.Sharding)";

    public override IReadOnlyList<CommandSpec> Commands { get; } =
    [
        new("regions", "the shard region types of this node, with its own shard and entity counts", []),
        new("region-stats", "shards and entities of one type on every member", [Region]),
        new("shard-stats", "the shards of one type on this node and their entity ids", [Region]),
    ];

    /// <summary>The shard types this node knows: its regions (ClusterSharding.ShardTypeNames) and its proxies, which
    /// that list leaves out; a proxy is the child "&lt;type&gt;Proxy" of /system/sharding.</summary>
    public static IReadOnlyList<(string Type, bool Region)> Types(ActorSystem system)
    {
        var regions = ClusterSharding.Get(system).ShardTypeNames.ToHashSet();
        var guardian = ((ExtendedActorSystem)system).Provider.SystemGuardian.GetSingleChild("sharding") as ActorRefWithCell;
        var proxies = guardian?.Children.Select(c => c.Path.Name).Where(n => n.EndsWith("Proxy", StringComparison.Ordinal))
            .Select(n => Uri.UnescapeDataString(n[..^"Proxy".Length])).Where(t => !regions.Contains(t)) ?? [];
        return regions.Select(t => (t, true)).Concat(proxies.Select(t => (t, false))).OrderBy(x => x.Item1, StringComparer.Ordinal).ToArray();
    }

    public override async Task<int> ExecuteAsync(CommandSpec command, CommandArgs args, CommandOutput output)
    {
        var sharding = ClusterSharding.Get(system);
        var known = Types(system);
        var types = known.Select(k => k.Type).ToArray();
        if (command.Name == "regions")
        {
            foreach (var (type, isRegion) in known)
            {
                if (!isRegion)
                {
                    await output.Out($"{type} | proxy | hosted on members with role {NodeSettings.WorkerRole}");
                    continue;
                }
                var stats = await sharding.ShardRegion(type).Ask<ShardRegionStats>(GetShardRegionStats.Instance, Timeout, output.Cancelled);
                await output.Out($"{type} | region | shards: {stats.Stats.Count} | entities: {stats.Stats.Values.Sum()}");
            }
            return CommandPalettes.Ok;
        }

        var name = args.Value("-r")!;
        if (!types.Contains(name))
        {
            await output.Err($"error: no shard region type '{name}' on this node (types: {string.Join(", ", types)})");
            return CommandPalettes.Failed;
        }
        var hosted = known.Single(k => k.Type == name).Region;
        if (command.Name == "shard-stats")
        {
            if (!hosted)
            {
                await output.Err($"error: this node only proxies '{name}'; attach pbm to a member with role {NodeSettings.WorkerRole}");
                return CommandPalettes.Failed;
            }
            var state = await sharding.ShardRegion(name).Ask<CurrentShardRegionState>(GetShardRegionState.Instance, Timeout, output.Cancelled);
            foreach (var shard in state.Shards.OrderBy(s => s.ShardId, StringComparer.Ordinal))
                await output.Out($"shard {shard.ShardId} | entities: {shard.EntityIds.Count} | {string.Join(", ", shard.EntityIds.Order(StringComparer.Ordinal))}");
            await output.Out($"{Akka.Cluster.Cluster.Get(system).SelfAddress} | {name} | shards: {state.Shards.Count} | entities: {state.Shards.Sum(s => s.EntityIds.Count)}");
            return CommandPalettes.Ok;
        }
        return await RegionStatsAsync(name, hosted, output);
    }

    /// <summary>This node's region of the type when it hosts one, else the region of the oldest worker.</summary>
    public static ICanTell? RealRegion(ActorSystem system, string type, bool hosted)
    {
        if (hosted) return ClusterSharding.Get(system).ShardRegion(type);
        return Akka.Cluster.Cluster.Get(system).State.Members.Where(m => m.Status == MemberStatus.Up && m.HasRole(NodeSettings.WorkerRole))
            .MinBy(m => m, Member.AgeOrdering) is { } host
            ? system.ActorSelection(new RootActorPath(host.Address) / "system" / "sharding" / Uri.EscapeDataString(type))
            : null;
    }

    async Task<int> RegionStatsAsync(string type, bool hosted, CommandOutput output)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var state = cluster.State;
        var region = RealRegion(system, type, hosted);
        if (region is null)
        {
            await output.Err($"error: no member with role {NodeSettings.WorkerRole} is up to host '{type}'");
            return CommandPalettes.Failed;
        }
        var stats = await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(Timeout), Timeout + TimeSpan.FromSeconds(2), output.Cancelled);
        // The shard coordinator is a singleton on the oldest member of the type's role.
        var coordinator = state.Members.Where(m => m.Status == MemberStatus.Up && m.HasRole(NodeSettings.WorkerRole))
            .MinBy(m => m, Member.AgeOrdering)?.Address;
        foreach (var m in state.Members)
        {
            var shards = stats.Regions.TryGetValue(m.Address, out var s) ? s.Stats : null;
            await output.Out($"{ClusterPalette.Line(m, false)} | {(state.Unreachable.Contains(m) ? "unreachable" : "")} | {m.AppVersion}" +
                             (m.Address == coordinator ? $" [coordinator]({type})" : "") +
                             $" | shards: {shards?.Count ?? 0} | entities: {shards?.Values.Sum() ?? 0}");
        }
        return CommandPalettes.Ok;
    }
}
