using Akka.Actor;

namespace GainCal.Operations;

/// <summary>Petabridge.Cmd's `actor hierarchy`: this node's actor tree, one path per line. It reads the local
/// actor cells' children (no messages, so a busy actor cannot hide); another node's tree is seen by attaching
/// pbm to that node.</summary>
public sealed class ActorPalette(ActorSystem system) : CommandPalette
{
    public override string Name => "actor";
    public override string Description => "the actors of this node";

    public override IReadOnlyList<CommandSpec> Commands { get; } =
    [
        new("hierarchy", "actor paths under a start path, to a depth", [
            new CommandOption("-d", "DEPTH", "levels below the start path (default 4)"),
            new CommandOption("-s", "PATH", "start path, /user or akka.tcp://SYSTEM@HOST:PORT/system (default /)"),
        ]),
    ];

    public override async Task<int> ExecuteAsync(CommandSpec command, CommandArgs args, CommandOutput output)
    {
        var depth = args.Int("-d", 4, 0, 64);
        var start = Resolve(args.Value("-s") ?? "/");
        if (start is null)
        {
            await output.Err($"error: no actor at {args.Value("-s")} on this node");
            return CommandPalettes.Failed;
        }
        var count = 0;
        foreach (var path in Walk(start, depth))
        {
            await output.Out(path);
            count++;
        }
        await output.Out($"Count: {count} actors");
        return CommandPalettes.Ok;
    }

    ActorRefWithCell? Resolve(string text)
    {
        var self = ((ExtendedActorSystem)system).Provider.DefaultAddress;
        string elements;
        if (text.Contains("://"))
        {
            if (!ActorPath.TryParse(text, out var path)) throw new CommandUsageException($"-s: '{text}' is not an actor path");
            if (path.Address != self && path.Address.HasGlobalScope)
                throw new CommandUsageException($"-s: {path.Address} is another node; attach pbm to it to see its actors (this node is {self})");
            elements = string.Join('/', path.Elements);
        }
        else elements = text.Trim('/');
        ActorRefWithCell? current = ((ExtendedActorSystem)system).Provider.RootGuardian as ActorRefWithCell;
        foreach (var name in elements.Split('/', StringSplitOptions.RemoveEmptyEntries))
            current = current?.GetSingleChild(name) as ActorRefWithCell;
        return current;
    }

    static IEnumerable<string> Walk(ActorRefWithCell start, int depth)
    {
        var stack = new Stack<(ActorRefWithCell Actor, int Level)>();
        stack.Push((start, 0));
        while (stack.TryPop(out var item))
        {
            yield return item.Actor.Path.ToStringWithoutAddress();
            if (item.Level == depth) continue;
            foreach (var child in item.Actor.Children.OfType<ActorRefWithCell>().OrderByDescending(c => c.Path.Name, StringComparer.Ordinal))
                stack.Push((child, item.Level + 1));
        }
    }
}
