using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;
using GainCal.Cluster;

namespace GainCal.Operations;

/// <summary>Petabridge.Cmd's `cluster` palette: membership as this node sees it, leaving, joining, downing,
/// and a stream of membership events. Member lines are pbm's: `address | [roles] | status[ | unreachable]`.</summary>
public sealed class ClusterPalette(ActorSystem system, JournalHealth journal) : CommandPalette
{
    static readonly CommandOption Address = new("-a", "ADDRESS", "member address, akka.tcp://SYSTEM@HOST:PORT or HOST:PORT", Required: true);

    public override string Name => "cluster";
    public override string Description => "cluster membership (Akka.Cluster)";

    public override IReadOnlyList<CommandSpec> Commands { get; } =
    [
        new("show", "every member as this node sees it, then the count", []),
        new("status", "this node's own membership (and its journal, when that cannot be read)", []),
        new("leader", "the cluster leader's address", []),
        new("leave", "this node leaves the cluster gracefully (its shards and singletons move first)", []),
        new("join", "this node joins the cluster of the given member", [Address]),
        new("down", "marks the given member down (removed without a graceful leave)", [Address]),
        new("down-unreachable", "downs every member this node sees as unreachable", []),
        new("tail", "streams membership and reachability events until Ctrl-C", []),
    ];

    Akka.Cluster.Cluster Cluster => Akka.Cluster.Cluster.Get(system);

    public static string Line(Member m, bool unreachable) =>
        $"{m.Address} | [{string.Join(",", m.Roles)}] | {m.Status.ToString().ToLowerInvariant()}" + (unreachable ? " | unreachable" : "");

    public override async Task<int> ExecuteAsync(CommandSpec command, CommandArgs args, CommandOutput output)
    {
        var cluster = Cluster;
        var state = cluster.State;
        switch (command.Name)
        {
            case "show":
                foreach (var m in state.Members) await output.Out(Line(m, state.Unreachable.Contains(m)));
                await output.Out($"Count: {state.Members.Count} nodes");
                return CommandPalettes.Ok;
            case "status":
                await output.Out(Line(cluster.SelfMember, false));
                if (journal.Problem is not { } problem) return CommandPalettes.Ok;
                await output.Err($"error: {CommandPalettes.JournalRefusal(problem)}");
                return CommandPalettes.Failed;
            case "leader":
                await output.Out(state.Leader?.ToString() ?? "no leader");
                return CommandPalettes.Ok;
            case "leave":
                await cluster.LeaveAsync().WaitAsync(TimeSpan.FromSeconds(30), output.Cancelled);
                await output.Out($"{cluster.SelfAddress} left the cluster");
                return CommandPalettes.Ok;
            case "join":
            {
                var address = ParseAddress(args.Value("-a")!);
                cluster.Join(address);
                await output.Out($"{cluster.SelfAddress} joining {address}");
                return CommandPalettes.Ok;
            }
            case "down":
            {
                var address = ParseAddress(args.Value("-a")!);
                if (state.Members.All(m => m.Address != address))
                {
                    await output.Err($"error: {address} is not a member (cluster show lists them)");
                    return CommandPalettes.Failed;
                }
                cluster.Down(address);
                await output.Out($"downed {address}");
                return CommandPalettes.Ok;
            }
            case "down-unreachable":
                if (state.Unreachable.Count == 0)
                {
                    await output.Out("no unreachable members");
                    return CommandPalettes.Ok;
                }
                foreach (var m in state.Unreachable)
                {
                    cluster.Down(m.Address);
                    await output.Out($"downed {m.Address}");
                }
                return CommandPalettes.Ok;
            default:
                return await TailAsync(output);
        }
    }

    /// <summary>"akka.tcp://gaincal@host:port", or "host:port" in this node's actor system.</summary>
    Address ParseAddress(string text)
    {
        Address? address = null;
        try
        {
            address = text.Contains("://")
                ? Akka.Actor.Address.Parse(text)
                : Akka.Actor.Address.Parse($"{Cluster.SelfAddress.Protocol}://{system.Name}@{text}");
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
        {
        }
        return address is { Host.Length: > 0, Port: > 0 and <= 65535 } && address.System == system.Name
            ? address
            : throw new CommandUsageException($"'{text}' is not a member address (akka.tcp://{system.Name}@HOST:PORT or HOST:PORT)");
    }

    async Task<int> TailAsync(CommandOutput output)
    {
        var lines = Channel.CreateUnbounded<string>();
        var tail = system.ActorOf(Props.Create(() => new TailActor(lines.Writer)));
        try
        {
            await foreach (var line in lines.Reader.ReadAllAsync(output.Cancelled))
                await output.Out(line);
        }
        catch (OperationCanceledException) when (output.Cancelled.IsCancellationRequested)
        {
        }
        finally
        {
            tail.Tell(PoisonPill.Instance);
        }
        return CommandPalettes.Ok;
    }

    /// <summary>Turns the cluster's event stream (current members first) into lines for one `cluster tail`.</summary>
    sealed class TailActor : ReceiveActor
    {
        public TailActor(ChannelWriter<string> lines)
        {
            var cluster = Akka.Cluster.Cluster.Get(Context.System);
            cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
                typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged));
            Receive<ClusterEvent.IMemberEvent>(e => Write(lines, $"{e.GetType().Name}: {Line(e.Member, false)}"));
            Receive<ClusterEvent.UnreachableMember>(e => Write(lines, $"UnreachableMember: {Line(e.Member, true)}"));
            Receive<ClusterEvent.ReachableMember>(e => Write(lines, $"ReachableMember: {Line(e.Member, false)}"));
            Receive<ClusterEvent.LeaderChanged>(e => Write(lines, $"LeaderChanged: {e.Leader?.ToString() ?? "none"}"));
        }

        static void Write(ChannelWriter<string> lines, string text) =>
            lines.TryWrite($"[{DateTime.UtcNow:HH:mm:ss.fff}] {text}");

        protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
    }
}
