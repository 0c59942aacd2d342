using Akka.Actor;
using Akka.Hosting;
using GainCal.Cluster;

namespace GainCal.Operations;

/// <summary>The palettes the command host serves: `gaincal` (runs) and Petabridge.Cmd's `cluster`,
/// `cluster-sharding`, `actor` and `log` (in their own files). `help` lists them.
/// Exit codes: 0 done, 1 the command failed, 2 the command line is wrong (usage printed).</summary>
public sealed class CommandPalettes(NodeSettings settings, ActorSystem system, IReadOnlyActorRegistry registry, LogRing log, JournalHealth journal)
{
    public const int Ok = 0, Failed = 1, Usage = 2;

    static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(15);
    static readonly TimeSpan MergeTimeout = TimeSpan.FromMinutes(10);

    public static readonly IReadOnlyDictionary<string, string> GainCalUsage = new Dictionary<string, string>
    {
        ["create"] = "gaincal create RUN -i|--input DIR -o|--output DIR [-t|--tag VCALTAG] [-B|--bpix-only]",
        ["submit"] = "gaincal submit RUN",
        ["status"] = "gaincal status RUN [--json]",
        ["resubmit"] = "gaincal resubmit RUN [-n|--fed FED ... [-f|--force]]   (default: the failed FEDs; --fed -1: all; --force: also the named FEDs that are done)",
        ["merge"] = "gaincal merge RUN   (alias: hadd)",
        ["runs"] = "gaincal runs   (every run the coordinator knows, with its FED counts)",
    };

    // The receiving node refuses early with the operator's own words; the nodes that touch the paths check again.
    readonly PathConfinement _paths = PathConfinement.Of(settings);

    readonly IReadOnlyList<CommandPalette> _palettes =
        [new ClusterPalette(system, journal), new ShardingPalette(system), new ActorPalette(system), new LogPalette(log)];

    sealed class UsageException(string message) : Exception(message);

    public async Task<int> ExecuteAsync(string commandLine, Func<HostFrame, Task> emit, CancellationToken ct)
    {
        string[] args;
        try
        {
            args = CommandLineText.Split(commandLine);
        }
        catch (FormatException e)
        {
            await emit(HostFrame.Err($"error: {e.Message}"));
            return Usage;
        }
        var palette = args.Length > 0 ? args[0] : "";
        var verb = args.Length > 1 ? args[1] : "";
        // Run commands need the run coordinator, which cannot recover from an unreadable journal: say so at once.
        if (palette == "gaincal" && GainCalUsage.ContainsKey(verb == "hadd" ? "merge" : verb) && journal.Problem is { } problem)
        {
            await emit(HostFrame.Err($"error: {JournalRefusal(problem)}"));
            return Failed;
        }
        try
        {
            return palette switch
            {
                "gaincal" when verb == "runs" => await GainCalRuns.ExecuteAsync(registry, args.Skip(2).ToArray(), emit, ct),
                "gaincal" => await GainCal(verb == "hadd" ? "merge" : verb, args.Skip(2).ToArray(), emit, ct),
                "help" when verb == "--catalog" => await Catalog(emit),
                "help" or "" => await Help(emit, null),
                _ when _palettes.FirstOrDefault(p => p.Name == palette) is { } p => await Palette(p, verb, args.Skip(2).ToArray(), emit, ct),
                _ => await Help(emit, $"unknown palette '{palette}'"),
            };
        }
        catch (UsageException e)
        {
            await emit(HostFrame.Err($"error: {e.Message}"));
            if (GainCalUsage.TryGetValue(verb == "hadd" ? "merge" : verb, out var u)) await emit(HostFrame.Err($"usage: {u}"));
            return Usage;
        }
        catch (AskTimeoutException)
        {
            // The journal may have become unreadable since its last periodic check.
            await emit(HostFrame.Err(journal.Check() is { } now
                ? $"error: {JournalRefusal(now)}"
                : "error: the run coordinator did not answer in time (cluster starting, or failing over); try again"));
            return Failed;
        }
    }

    public static string JournalRefusal(string problem) =>
        $"this node's journal cannot be read ({problem}); run commands are refused until it is restored or repaired (docs/security.md 3)";

    async Task<int> Help(Func<HostFrame, Task> emit, string? error)
    {
        if (error is not null)
        {
            await emit(HostFrame.Err($"error: {error}"));
            await emit(HostFrame.Err($"palettes: {string.Join(", ", new[] { "gaincal" }.Concat(_palettes.Select(p => p.Name)))}; help lists their commands"));
            return Usage;
        }
        await emit(HostFrame.Out("gaincal: calibration runs"));
        foreach (var u in GainCalUsage.Values) await emit(HostFrame.Out($"  {u}"));
        foreach (var p in _palettes)
        {
            await emit(HostFrame.Out($"{p.Name}: {p.Description}"));
            foreach (var c in p.Commands) await emit(HostFrame.Out($"  {c.Usage(p.Name),-48} {c.Description}"));
        }
        return Ok;
    }

    /// <summary>`help --catalog`: one line per command, "palette command switch...", for the client's tab completion.</summary>
    async Task<int> Catalog(Func<HostFrame, Task> emit)
    {
        foreach (var (name, usage) in GainCalUsage)
            await emit(HostFrame.Out(string.Join(' ', new[] { "gaincal", name }.Concat(CommandSpec.FromUsage(name, "", usage).Options.Select(o => o.Switch)))));
        foreach (var p in _palettes)
        foreach (var c in p.Commands)
            await emit(HostFrame.Out(string.Join(' ', new[] { p.Name, c.Name }.Concat(c.Options.Select(o => o.Switch)))));
        await emit(HostFrame.Out("help"));
        return Ok;
    }

    static async Task<int> Palette(CommandPalette palette, string verb, string[] args, Func<HostFrame, Task> emit, CancellationToken ct)
    {
        var output = new CommandOutput(emit, ct);
        var command = palette.Commands.FirstOrDefault(c => c.Name == verb);
        if (command is null)
        {
            await output.Err(verb.Length == 0 ? $"error: missing {palette.Name} command" : $"error: unknown {palette.Name} command '{verb}'");
            foreach (var c in palette.Commands) await output.Err($"usage: {c.Usage(palette.Name)}");
            return Usage;
        }
        try
        {
            return await palette.ExecuteAsync(command, CommandArgs.Parse(command, args), output);
        }
        catch (CommandUsageException e)
        {
            await output.Err($"error: {e.Message}");
            await output.Err($"usage: {command.Usage(palette.Name)}");
            return Usage;
        }
        catch (AskTimeoutException)
        {
            await output.Err($"error: {palette.Name} {verb}: no answer in time (cluster starting, or failing over); try again");
            return Failed;
        }
    }

    async Task<int> GainCal(string verb, string[] a, Func<HostFrame, Task> emit, CancellationToken ct)
    {
        if (!GainCalUsage.ContainsKey(verb))
        {
            await emit(HostFrame.Err($"error: {(verb.Length == 0 ? "missing gaincal command" : $"unknown gaincal command '{verb}'")}"));
            foreach (var u in GainCalUsage.Values) await emit(HostFrame.Err($"usage: {u}"));
            return Usage;
        }
        var p = Parsed.Parse(a, verb switch
        {
            "create" => ["-i", "--input", "-o", "--output", "-t", "--tag"],
            "resubmit" => ["-n", "--fed"],
            _ => [],
        }, verb switch
        {
            "create" => ["-B", "--bpix-only"],
            "status" => ["--json"],
            "resubmit" => ["-f", "--force"],
            _ => [],
        });
        var run = p.Run();
        var coordinator = registry.Get<RunCoordinatorProxy>();
        CommandResult result;
        switch (verb)
        {
            case "create":
            {
                var input = p.Single("-i", "--input") ?? throw new UsageException("missing -i DIR");
                var output = p.Single("-o", "--output") ?? throw new UsageException("missing -o DIR");
                var tag = p.Single("-t", "--tag");
                foreach (var path in new[] { input, output }.Concat(tag is not null && tag.Contains('/') ? [tag] : []))
                    if (_paths.Problem(path) is { } error)
                    {
                        await emit(HostFrame.Err($"error: {error}"));
                        return Failed;
                    }
                result = await coordinator.Ask<CommandResult>(
                    new CreateRun(run, Path.GetFullPath(input), Path.GetFullPath(output), tag, p.Flag("-B", "--bpix-only")), AskTimeout, ct);
                break;
            }
            case "submit":
                result = await coordinator.Ask<CommandResult>(new SubmitRun(run), AskTimeout, ct);
                break;
            case "resubmit":
            {
                var feds = p.Many("-n", "--fed").SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries))
                    .Select(v => int.TryParse(v, out var f) && (f > 0 || f == -1) ? f : throw new UsageException($"FED '{v}' is not a FED number (or -1 for all)"))
                    .ToArray();
                var force = p.Flag("-f", "--force");
                if (force && feds.Length == 0)
                    throw new UsageException($"--force needs the FEDs to recompute: --fed N ... (or --fed -1 for every FED), e.g. gaincal resubmit {run} --fed -1 --force");
                result = await coordinator.Ask<CommandResult>(new ResubmitRun(run, feds, force), AskTimeout, ct);
                break;
            }
            case "status":
            {
                var reply = await coordinator.Ask<RunStatusReply>(new GetRunStatus(run), AskTimeout, ct);
                if (reply.Status is not { } status)
                {
                    result = CommandResult.Failure(reply.Error ?? $"run {run}: no status");
                    break;
                }
                result = CommandResult.Success(p.Flag("--json") ? [StatusText.ToJson(status)] : StatusText.Render(status).ToArray());
                break;
            }
            default:
            {
                var plan = await coordinator.Ask<MergePlan>(new PlanMerge(run), AskTimeout, ct);
                result = plan.Request is { } request
                    ? await registry.Get<RunAggregatorRegion>().Ask<CommandResult>(request, MergeTimeout, ct)
                    : CommandResult.Failure(plan.Error ?? "nothing to merge");
                break;
            }
        }
        foreach (var line in result.Lines)
            await emit(result.Ok ? HostFrame.Out(line) : HostFrame.Err($"error: {line}"));
        return result.Ok ? Ok : Failed;
    }

    /// <summary>RUN, then options; an option with values takes every following word up to the next option.</summary>
    sealed class Parsed
    {
        readonly List<string> _positional = [];
        readonly Dictionary<string, List<string>> _values = [];
        readonly HashSet<string> _flags = [];

        public static Parsed Parse(string[] args, string[] valued, string[] flags)
        {
            var p = new Parsed();
            string? current = null;
            foreach (var a in args)
            {
                if (a.StartsWith('-') && !int.TryParse(a, out _))
                {
                    if (valued.Contains(a))
                    {
                        current = a;
                        p._values.TryAdd(a, []);
                    }
                    else if (flags.Contains(a))
                    {
                        current = null;
                        p._flags.Add(a);
                    }
                    else throw new UsageException($"unknown option {a}");
                }
                else if (current is not null) p._values[current].Add(a);
                else p._positional.Add(a);
            }
            foreach (var (k, v) in p._values)
                if (v.Count == 0) throw new UsageException($"option {k} needs a value");
            return p;
        }

        public uint Run()
        {
            if (_positional.Count == 0) throw new UsageException("missing RUN");
            if (_positional.Count > 1) throw new UsageException($"unexpected argument '{_positional[1]}'");
            return uint.TryParse(_positional[0], out var run) && run > 0
                ? run
                : throw new UsageException($"RUN must be a positive run number, got '{_positional[0]}'");
        }

        public IEnumerable<string> Many(params string[] names) => names.SelectMany(n => _values.GetValueOrDefault(n) ?? []);

        public string? Single(params string[] names)
        {
            var all = Many(names).ToList();
            return all.Count switch
            {
                0 => null,
                1 => all[0],
                _ => throw new UsageException($"{names[0]} takes one value, got {all.Count}"),
            };
        }

        public bool Flag(params string[] names) => names.Any(_flags.Contains);
    }
}
