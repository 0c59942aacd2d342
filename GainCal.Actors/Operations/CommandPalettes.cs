using Akka.Actor;
using Akka.Hosting;
using GainCal.Cluster;

namespace GainCal.Operations;

/// <summary>The palettes the command host serves: `gaincal` (runs) and `cluster` (membership, pbm's syntax).
/// Exit codes: 0 done, 1 the command failed, 2 the command line is wrong (usage printed).</summary>
public sealed class CommandPalettes(NodeSettings settings, ActorSystem system, IReadOnlyActorRegistry registry)
{
    public const int Ok = 0, Failed = 1, Usage = 2;

    static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(15);
    static readonly TimeSpan MergeTimeout = TimeSpan.FromMinutes(10);

    public static readonly IReadOnlyDictionary<string, string> GainCalUsage = new Dictionary<string, string>
    {
        ["create"] = "gaincal create RUN -i|--input DIR -o|--output DIR [-t|--tag VCALTAG] [-B|--bpix-only]",
        ["submit"] = "gaincal submit RUN",
        ["status"] = "gaincal status RUN [--json]",
        ["resubmit"] = "gaincal resubmit RUN [-n|--fed FED ...] [-f|--force]   (default: the failed FEDs; --fed -1: all)",
        ["merge"] = "gaincal merge RUN   (alias: hadd)",
    };

    static readonly string[] ClusterUsage = ["cluster show", "cluster status", "cluster leader"];

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
        try
        {
            return palette switch
            {
                "gaincal" => await GainCal(verb == "hadd" ? "merge" : verb, args.Skip(2).ToArray(), emit, ct),
                "cluster" => await Cluster(verb, emit),
                "help" or "" => await Help(emit, null),
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
            await emit(HostFrame.Err("error: the run coordinator did not answer in time (cluster starting, or failing over); try again"));
            return Failed;
        }
    }

    static async Task<int> Help(Func<HostFrame, Task> emit, string? error)
    {
        if (error is not null) await emit(HostFrame.Err($"error: {error}"));
        foreach (var u in GainCalUsage.Values.Concat(ClusterUsage))
            await emit(error is null ? HostFrame.Out(u) : HostFrame.Err($"usage: {u}"));
        return error is null ? Ok : Usage;
    }

    async Task<int> GainCal(string verb, string[] a, Func<HostFrame, Task> emit, CancellationToken ct)
    {
        if (!GainCalUsage.ContainsKey(verb))
            return await Help(emit, verb.Length == 0 ? "missing gaincal command" : $"unknown gaincal command '{verb}'");
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
                    if (OutsideRoots(path) is { } error)
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
                result = await coordinator.Ask<CommandResult>(new ResubmitRun(run, feds, p.Flag("-f", "--force")), AskTimeout, ct);
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

    string? OutsideRoots(string path)
    {
        if (!Path.IsPathRooted(path)) return $"{path}: paths sent to a node must be absolute";
        var full = Path.GetFullPath(path);
        var roots = settings.EffectiveAllowedRoots;
        return roots.Any(r => full == r.TrimEnd('/') || full.StartsWith(r.TrimEnd('/') + "/", StringComparison.Ordinal))
            ? null
            : $"{full} is outside the allowed data roots ({string.Join(", ", roots)})";
    }

    async Task<int> Cluster(string verb, Func<HostFrame, Task> emit)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var state = cluster.State;
        switch (verb)
        {
            case "show":
                foreach (var m in state.Members)
                    await emit(HostFrame.Out($"{m.Address} | [{string.Join(",", m.Roles)}] | {m.Status.ToString().ToLowerInvariant()}" +
                                             (state.Unreachable.Contains(m) ? " | unreachable" : "")));
                await emit(HostFrame.Out($"Count: {state.Members.Count} nodes"));
                return Ok;
            case "status":
                var self = cluster.SelfMember;
                await emit(HostFrame.Out($"{self.Address} | [{string.Join(",", self.Roles)}] | {self.Status.ToString().ToLowerInvariant()}"));
                return Ok;
            case "leader":
                await emit(HostFrame.Out(state.Leader?.ToString() ?? "no leader"));
                return Ok;
            default:
                await emit(HostFrame.Err($"error: unknown cluster command '{verb}'"));
                foreach (var u in ClusterUsage) await emit(HostFrame.Err($"usage: {u}"));
                return Usage;
        }
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
