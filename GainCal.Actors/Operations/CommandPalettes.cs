using Akka.Actor;
using Akka.Hosting;
using GainCal.Cluster;
using GainCal.Detector;

namespace GainCal.Operations;

/// <summary>The palettes the command host serves: `gaincal` (runs) and Petabridge.Cmd's `cluster`,
/// `cluster-sharding`, `actor` and `log` (in their own files). `help` lists them.
/// Exit codes (<see cref="ExitCodes"/>): 0 done, 1 the command failed, 2 the command line is wrong (usage printed), 3 nothing to do.</summary>
public sealed class CommandPalettes(NodeSettings settings, ActorSystem system, IReadOnlyActorRegistry registry, LogRing log, JournalHealth journal)
{
    public const int Ok = ExitCodes.Ok, Failed = ExitCodes.Failed, Usage = ExitCodes.Usage;

    static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(15);
    static readonly TimeSpan MergeTimeout = TimeSpan.FromMinutes(10);

    // The receiving node refuses early with the operator's own words; the nodes that touch the paths check again.
    readonly PathConfinement _paths = PathConfinement.Of(settings);

    readonly IReadOnlyList<CommandPalette> _palettes =
        [new ClusterPalette(system, journal), new ShardingPalette(system), new ActorPalette(system), new LogPalette(log)];

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
        if (palette == "gaincal" && RunCommandGrammar.Usage.ContainsKey(verb == "hadd" ? "merge" : verb) && journal.Problem is { } problem)
        {
            await emit(HostFrame.Err($"error: {JournalRefusal(problem)}"));
            return Failed;
        }
        try
        {
            return palette switch
            {
                "gaincal" => await GainCal(verb == "hadd" ? "merge" : verb, args.Skip(1).ToArray(), emit, ct),
                "help" when verb == "--catalog" => await Catalog(emit),
                "help" or "" => await Help(emit, null),
                _ when _palettes.FirstOrDefault(p => p.Name == palette) is { } p => await Palette(p, verb, args.Skip(2).ToArray(), emit, ct),
                _ => await Help(emit, $"unknown palette '{palette}'"),
            };
        }
        catch (CommandUsageException e) when (palette == "gaincal")
        {
            await emit(HostFrame.Err($"error: {e.Message}"));
            if (RunCommandGrammar.Usage.TryGetValue(verb == "hadd" ? "merge" : verb, out var u)) await emit(HostFrame.Err($"usage: {u}"));
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
        foreach (var u in RunCommandGrammar.Usage.Values) await emit(HostFrame.Out($"  {u}"));
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
        foreach (var (name, usage) in RunCommandGrammar.Usage)
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

    async Task<int> GainCal(string verb, string[] words, Func<HostFrame, Task> emit, CancellationToken ct)
    {
        if (!RunCommandGrammar.Usage.ContainsKey(verb))
        {
            await emit(HostFrame.Err($"error: {(verb.Length == 0 ? "missing gaincal command" : $"unknown gaincal command '{verb}'")}"));
            foreach (var u in RunCommandGrammar.Usage.Values) await emit(HostFrame.Err($"usage: {u}"));
            return Usage;
        }
        var request = new RunCommandGrammar().Parse(words);
        var coordinator = registry.Get<RunCoordinatorProxy>();
        CommandResult result;
        switch (request)
        {
            case CreateRequest c:
            {
                var referencePath = c.Reference is { } named && !uint.TryParse(named, out _) ? named : null;
                foreach (var path in new[] { c.Input, c.Output }.Concat(c.Tag is not null && c.Tag.Contains('/') ? [c.Tag] : [])
                             .Concat(referencePath is null ? [] : [referencePath]))
                    if (_paths.Problem(path) is { } error)
                    {
                        await emit(HostFrame.Err($"error: {error}"));
                        return Failed;
                    }
                CreateRun create;
                string? vcalOrigin;
                (string Path, string Origin)? cabling = null;
                try
                {
                    // The input is scanned, the cabling read and the output prepared here, on the node the command came to: the
                    // coordinator does no file I/O.
                    if (c.Cabling is { } file) cabling = RunInput.CheckCabling(file, c.CablingTag, _paths);
                    create = RunInput.Scan(c.Run, c.Input, c.Output, c.Tag, c.BPixOnly, _paths, out vcalOrigin,
                        c.Feds is null && !c.FPixOnly ? null : c.Selection.ToArray(), cabling is { } k ? (k.Path, c.CablingTag) : null)
                        with { RealignEvents = c.RealignEvents, Reference = c.Reference };
                    if (referencePath is not null && !File.Exists(referencePath) && !Directory.Exists(referencePath))
                        throw new InvalidDataException($"--reference {referencePath}: no such table, summary or run directory");
                }
                catch (Exception e) when (e is InvalidDataException or IOException)
                {
                    await emit(HostFrame.Err($"error: {e.Message}"));
                    return Failed;
                }
                // Results in an output tree whose run the journal does not know came from a journal that is gone.
                if (RunOutputTree.ResultsWithoutRun(c.Run, create.OutputDir) is { } orphaned
                    && (await coordinator.Ask<RunStatusReply>(new GetRunStatus(c.Run), AskTimeout, ct)).Status is null)
                {
                    await emit(HostFrame.Err($"error: {orphaned}"));
                    return Failed;
                }
                try
                {
                    RunInput.PrepareOutput(create);
                }
                catch (InvalidDataException e)
                {
                    await emit(HostFrame.Err($"error: {e.Message}"));
                    return Failed;
                }
                result = await coordinator.Ask<CommandResult>(create, AskTimeout, ct);
                if (result.Ok)
                {
                    RunInput.WriteConfig(create);
                    if (vcalOrigin is not null) result = result with { Lines = [.. result.Lines, $"VCal table read: {vcalOrigin}"] };
                    if (cabling is { } read) result = result with { Lines = [.. result.Lines, $"cabling read: {read.Origin}"] };
                }
                break;
            }
            case SubmitRequest s:
                result = await coordinator.Ask<CommandResult>(new SubmitRun(s.Run), AskTimeout, ct);
                break;
            case ResubmitRequest r:
                result = await coordinator.Ask<CommandResult>(
                    new ResubmitRun(r.Run, r.Feds, r.Force, r.Part is { } part ? FedParts.Within(PixelFeds.All, part).ToArray() : null), AskTimeout, ct);
                break;
            case StatusRequest s:
            {
                var reply = await coordinator.Ask<RunStatusReply>(new GetRunStatus(s.Run), AskTimeout, ct);
                var shown = reply.Status is { } all && s.Feds is { } only ? all with { Feds = all.Feds.Where(f => only.Contains(f.Fed)).ToArray() } : reply.Status;
                result = shown is null ? CommandResult.Failure(reply.Error ?? $"run {s.Run}: no status")
                    : shown.Feds.Length == 0 ? CommandResult.Failure($"run {s.Run} has none of the selected FEDs (its FEDs: {FedList.Format(reply.Status!.Feds.Select(f => f.Fed))})")
                    : CommandResult.Success(s.Json ? [StatusText.ToJson(shown)] : StatusText.Render(shown).ToArray());
                break;
            }
            case MergeRequest m:
            {
                var plan = await coordinator.Ask<MergePlan>(new PlanMerge(m.Run), AskTimeout, ct);
                result = plan.Request is { } merge
                    ? await registry.Get<RunAggregatorRegion>().Ask<CommandResult>(merge, MergeTimeout, ct)
                    : CommandResult.Failure(plan.Error ?? "nothing to merge");
                break;
            }
            default:
                return await GainCalRuns.ExecuteAsync(registry, emit, ct);
        }
        foreach (var line in result.Lines)
            await emit(result.Ok ? HostFrame.Out(line) : HostFrame.Err($"error: {line}"));
        return !result.Ok ? Failed : result.NothingDone ? ExitCodes.NothingDone : Ok;
    }
}
