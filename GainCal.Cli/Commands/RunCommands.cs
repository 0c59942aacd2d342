using System.CommandLine;
using System.CommandLine.Parsing;
using GainCal.Cluster;
using GainCal.Operations;

namespace GainCal.Cli.Commands;

/// <summary>The run commands of the reference's run.py (create, submit, status, resubmit, merge/hadd), sent to
/// a node's command host (<see cref="NodeAddress"/>). The node checks and executes; this side only resolves paths against the current
/// directory and prints what comes back. Errors, found here or by the node, are `gaincal: error: ...` lines and exit code 1; a command
/// that had nothing to do exits with 3 (<see cref="ExitCodes"/>).</summary>
public static class RunCommands
{
    /// <summary>The run commands of <see cref="RunCommandGrammar"/> (the grammar the node parses too), with the client's
    /// --node (and status's --watch). A command line is checked here with the same grammar, its paths made absolute
    /// against the current directory, and sent as it was typed otherwise.</summary>
    public static IEnumerable<Command> Create()
    {
        var grammar = new RunCommandGrammar();
        foreach (var command in grammar.Commands)
        {
            var node = NodeOption();
            command.Options.Add(node);
            if (command == grammar.Status)
            {
                var watch = new Option<bool>("--watch", "-w") { Description = "refresh every second until every FED has ended and the run is merged" };
                command.Options.Add(watch);
                command.SetAction(async (r, ct) =>
                {
                    Read(grammar, r);
                    return r.GetValue(watch)
                        ? await Watch(r.GetValue(node)!, Words(grammar, r, command).Skip(2).ToArray(), Console.Out, ct)
                        : await Send(r.GetValue(node)!, Words(grammar, r, command), ct);
                });
            }
            else
            {
                command.SetAction((r, ct) =>
                {
                    Read(grammar, r);
                    return Send(r.GetValue(node)!, Words(grammar, r, command), ct);
                });
            }
        }
        return grammar.Commands;
    }

    static Option<string> NodeOption() => NodeAddress.Option("command host of any cluster node");

    /// <summary>Checks the values as the node will; a bad one is the operator's one-line error (with the usage).</summary>
    static RunRequest Read(RunCommandGrammar grammar, ParseResult r)
    {
        try
        {
            return grammar.Read(r);
        }
        catch (CommandUsageException e)
        {
            var usage = RunCommandGrammar.Usage.GetValueOrDefault(r.CommandResult.Command.Name);
            throw new ArgumentException(usage is null ? e.Message : $"{e.Message}\nusage: {usage}");
        }
    }

    /// <summary>The words to send: the command's tokens as typed, without the client's options, paths made absolute.</summary>
    static List<string> Words(RunCommandGrammar grammar, ParseResult r, Command command)
    {
        var words = new List<string> { "gaincal", command.Name };
        var local = new HashSet<string>(command.Options.Where(o => o.Name is "--node" or "--watch").SelectMany(o => o.Aliases.Append(o.Name)));
        var paths = new HashSet<string>(new Option[] { grammar.Input, grammar.Output, grammar.Cabling }.SelectMany(o => o.Aliases.Append(o.Name)));
        var tokens = r.Tokens.SkipWhile(t => t.Type != TokenType.Command).Skip(1).ToList();
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t.Type == TokenType.Option && local.Contains(t.Value))
            {
                while (i + 1 < tokens.Count && tokens[i + 1].Type == TokenType.Argument && t.Value == "--node") i++;
                continue;
            }
            words.Add(t.Value);
            if (t.Type != TokenType.Option || i + 1 >= tokens.Count || tokens[i + 1].Type != TokenType.Argument) continue;
            if (paths.Contains(t.Value)) words.Add(AbsoluteLocation(tokens[++i].Value));
            else if (grammar.Tag.Aliases.Append(grammar.Tag.Name).Contains(t.Value) && tokens[i + 1].Value.Contains('/'))
                words.Add(AbsoluteLocation(tokens[++i].Value));
            else if (t.Value == grammar.Reference.Name && !uint.TryParse(tokens[i + 1].Value, out _))
                words.Add(AbsoluteLocation(tokens[++i].Value));
        }
        return words;
    }

    /// <summary>Polls the run's status once a second and redraws it; returns when every FED has ended and the
    /// merge is current (or cannot come), with 0 if no FED failed.</summary>
    /// <param name="status">The status command's words after `gaincal status`: the run and its FED selection.</param>
    public static async Task<int> Watch(string node, IReadOnlyList<string> status, TextWriter output, CancellationToken ct)
    {
        var redraw = !Console.IsOutputRedirected && output == Console.Out;
        DateTime? endedAt = null;
        while (!ct.IsCancellationRequested)
        {
            var json = new System.Text.StringBuilder();
            var errors = new List<string>();
            var code = await CommandHostClient.RunAsync(node, CommandLineText.Join(["gaincal", "status", .. status.Where(w => w != "--json"), "--json"]),
                l => json.AppendLine(l), errors.Add, ct);
            if (code != 0 || StatusText.FromJson(json.ToString()) is not { } view)
            {
                foreach (var e in errors) Console.Error.WriteLine(FromNode(e));
                return 1;
            }
            if (redraw) output.Write("\x1b[H\x1b[2J");
            else output.WriteLine($"--- {DateTime.Now:HH:mm:ss}");
            foreach (var line in StatusText.Render(view)) output.WriteLine(line);
            if (view.AllEnded)
            {
                endedAt ??= DateTime.UtcNow;
                var mergeSettled = view.MergeCurrent || view.Feds.All(f => !f.Phase.HasTable()) || view.Merge is { Ok: false }
                                   || DateTime.UtcNow - endedAt > TimeSpan.FromSeconds(60);
                if (mergeSettled) return view.Count(FedPhase.Failed) == 0 ? ExitCodes.Ok : ExitCodes.Failed;
            }
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
        return ExitCodes.Interrupted;
    }

    /// <summary>Sends one command line and prints the answer. Client-side failures (a bad run number or --node, an
    /// unreachable node) are thrown and become CliErrors' one line with exit code 1. The node's "nothing done" stays 3;
    /// its other failures are 1, as the CLI's own.</summary>
    public static async Task<int> Send(string node, IEnumerable<string> args, CancellationToken ct)
    {
        var code = await CommandHostClient.RunAsync(node, CommandLineText.Join(args), Console.WriteLine,
            l => Console.Error.WriteLine(FromNode(l)), ct);
        return code is ExitCodes.Ok or ExitCodes.NothingDone ? code : ExitCodes.Failed;
    }

    /// <summary>The node's `error: ...` lines, prefixed like the CLI's own; its usage lines as they are.</summary>
    static string FromNode(string line) => line.StartsWith("error: ", StringComparison.Ordinal) ? $"gaincal: {line}" : line;

    /// <summary>A path made absolute against the operator's directory; an XRootD URL as written (the node reads it).</summary>
    static string AbsoluteLocation(string location) =>
        GainCal.Storage.StorageByLocation.IsRemote(location) ? location : Path.GetFullPath(location);
}
