using System.CommandLine;
using System.CommandLine.Parsing;
using GainCal.Cluster;
using GainCal.Detector;

namespace GainCal.Operations;

/// <summary>A run command's request, read from a command line.</summary>
public abstract record RunRequest(uint Run);
/// <param name="Feds">run.py's --fed list (null: the part's FEDs, or every FED).</param>
/// <param name="Cabling">The run's own cabling map (text or conditions file); null: the nodes' default.</param>
/// <param name="Reference">The drift reference: a run number, or a table/summary path; null: the previous merged run.</param>
public sealed record CreateRequest(uint Run, string Input, string Output, string? Tag, bool BPixOnly, bool FPixOnly = false, int[]? Feds = null,
    string? Cabling = null, string? CablingTag = null, bool RealignEvents = false, string? Reference = null) : RunRequest(Run)
{
    /// <summary>The FEDs the run is to have (those with a dump among them): the --fed list within the part, or the part, or all.</summary>
    public IReadOnlyList<int> Selection => FedParts.Within(Feds ?? (IReadOnlyList<int>)PixelFeds.All, BPixOnly ? FedPart.BPix : FPixOnly ? FedPart.FPix : null);
}
public sealed record SubmitRequest(uint Run) : RunRequest(Run);
/// <summary>Feds: the FEDs to show (null: every FED of the run), already narrowed to -B/-F.</summary>
public sealed record StatusRequest(uint Run, bool Json, int[]? Feds = null) : RunRequest(Run);
/// <summary>Feds empty: the failed ones; -1: all (run.py's --fed -1). Part narrows whichever FEDs these are, as run.py does.</summary>
public sealed record ResubmitRequest(uint Run, int[] Feds, bool Force, FedPart? Part = null) : RunRequest(Run);
public sealed record MergeRequest(uint Run) : RunRequest(Run);
public sealed record ListRunsRequest() : RunRequest(0);

/// <summary>run.py's -B/--BPix-only and -F/--FPix-only.</summary>
public enum FedPart { BPix, FPix }

public static class FedParts
{
    public static bool Contains(this FedPart part, int fed) => part == FedPart.BPix ? PixelFeds.IsBPix(fed) : PixelFeds.IsFPix(fed);

    public static IReadOnlyList<int> Within(IEnumerable<int> feds, FedPart? part) =>
        part is { } p ? feds.Where(f => p.Contains(f)).ToArray() : feds.ToArray();

    public static string Name(this FedPart part) => part == FedPart.BPix ? "BPix" : "FPix";
}

/// <summary>
/// The grammar of the run commands of run.py (create, submit, status, resubmit, merge/hadd, runs), defined once
/// with System.CommandLine and used by both sides: the `gaincal` CLI adds its client options (--node, --watch) to
/// these commands, and the node's command host parses the command lines it receives with them. Values are checked
/// when read (<see cref="Read"/>), with the operator's wording, on either side. One instance per parser: a
/// System.CommandLine symbol belongs to one command tree.
/// </summary>
public sealed class RunCommandGrammar
{
    /// <summary>One line per command, for usage errors, `help` and the client's tab completion.</summary>
    public static readonly IReadOnlyDictionary<string, string> Usage = new Dictionary<string, string>
    {
        ["create"] = "gaincal create RUN -i|--input DIR -o|--output DIR [-t|--tag VCALTAG] [-B|--bpix-only | -F|--fpix-only] [-n|--fed FEDS ...] [--cabling FILE [--cabling-tag TAG]] [--realign-events] [--reference RUN|TABLE]",
        ["submit"] = "gaincal submit RUN",
        ["status"] = "gaincal status RUN [--json] [-B|--bpix-only | -F|--fpix-only] [-n|--fed FEDS ...]",
        ["resubmit"] = "gaincal resubmit RUN [-n|--fed FEDS ... [-f|--force]] [-B|--bpix-only | -F|--fpix-only]   (default: the failed FEDs; --fed -1: all; --force: also the named FEDs that are done)",
        ["merge"] = "gaincal merge RUN   (alias: hadd)",
        ["runs"] = "gaincal runs   (every run the coordinator knows, with its FED counts; then each node's FED slots)",
    };

    readonly Dictionary<Command, Func<ParseResult, RunRequest>> _readers = [];
    RootCommand? _root;

    public Command Create { get; }
    public Command Submit { get; }
    public Command Status { get; }
    public Command Resubmit { get; }
    public Command Merge { get; }
    public Command Runs { get; }
    public IReadOnlyList<Command> Commands => [Create, Submit, Status, Resubmit, Merge, Runs];

    /// <summary>The --input, --output, --tag options of create (the CLI resolves their paths before sending).</summary>
    public Option<string> Input { get; }
    public Option<string> Output { get; }
    public Option<string?> Tag { get; }
    /// <summary>create's --cabling (a path the CLI makes absolute).</summary>
    public Option<string?> Cabling { get; }
    /// <summary>create's drift reference: a run number, or a table/summary path (the CLI makes it absolute).</summary>
    public Option<string?> Reference { get; }

    public RunCommandGrammar()
    {
        {
            var run = Run();
            Input = new Option<string>("--input", "-i") { Description = "directory of the GainCalibration_<FED>_<RUN>.dmp files: a path, or an XRootD URL root://host[:port]//path (FEDs stream their dumps from the server)", Required = true };
            Output = new Option<string>("--output", "-o") { Description = "output directory (GainRun_<RUN> is created in it): a path every node can write, or an XRootD URL root://host[:port]//path where every product is written (temporary name, then rename)", Required = true };
            Tag = new Option<string?>("--tag", "-t") { Description = "VCal tag: a table file, or the name of one beside the input directory" };
            Cabling = new Option<string?>("--cabling")
            {
                Description = "the run's cabling map: a CMS conditions SQLite file holding a SiPixelFedCablingMap payload, or a text file " +
                              "(docs/geometry.md); default: the nodes' own (--cabling of the node, else the built-in synthetic map)",
            };
            var cablingTag = new Option<string?>("--cabling-tag") { Description = "tag of the SiPixelFedCablingMap in the --cabling conditions file, when it holds several" };
            var realign = new Option<bool>("--realign-events")
            {
                Description = "beyond the reference: place every event by its L1ID, so that a missing event does not shift later ones onto the wrong VCal point",
            };
            Reference = new Option<string?>("--reference")
            {
                Description = "the calibration the run's merge is compared with (drift per layer, disk/ring and module in status, summary, " +
                              "metrics): a run number, or a merged table / summary_Run<RUN>.json; default: the previous merged run",
            };
            var (feds, bpix, fpix) = Selection("FEDs to calibrate, of those with a dump (default: every pixel FED)");
            Create = Define(new Command("create", "Record a run: scan its input directory, prepare its output directory")
                    { run, Input, Output, Tag, bpix, fpix, feds, Cabling, cablingTag, realign, Reference },
                r =>
                {
                    var (all, named, part) = ReadSelection(r, feds, bpix, fpix);
                    if (r.GetValue(cablingTag) is { Length: > 0 } && r.GetValue(Cabling) is not { Length: > 0 })
                        throw new CommandUsageException("--cabling-tag needs --cabling FILE (the conditions file to take the tag from)");
                    return new CreateRequest(ReadRun(r, run), r.GetValue(Input)!, r.GetValue(Output)!, r.GetValue(Tag) is { Length: > 0 } t ? t : null,
                        part == FedPart.BPix, part == FedPart.FPix, all || named.Length == 0 ? null : named,
                        r.GetValue(Cabling) is { Length: > 0 } c ? c : null, r.GetValue(cablingTag) is { Length: > 0 } ct ? ct : null,
                        r.GetValue(realign), r.GetValue(Reference) is { Length: > 0 } reference ? reference : null);
                });
        }
        {
            var run = Run();
            Submit = Define(new Command("submit", "Start every FED of a created run on the cluster") { run }, r => new SubmitRequest(ReadRun(r, run)));
        }
        {
            var run = Run();
            var json = new Option<bool>("--json") { Description = "machine-readable status" };
            var (feds, bpix, fpix) = Selection("FEDs to show (default: every FED of the run)");
            Status = Define(new Command("status", "Per-FED state, node, attempts, progress (patterns fitted, rate, ETA) and errors of a run")
                    { run, json, bpix, fpix, feds },
                r =>
                {
                    var (all, named, part) = ReadSelection(r, feds, bpix, fpix);
                    var shown = all || named.Length == 0 ? part is null ? null : FedParts.Within(PixelFeds.All, part) : FedParts.Within(named, part);
                    if (shown is { Count: 0 })
                        throw new CommandUsageException($"--fed {FedList.Format(named)} holds no {part!.Value.Name()} FED");
                    return new StatusRequest(ReadRun(r, run), r.GetValue(json), shown?.ToArray());
                });
        }
        {
            var run = Run();
            var (feds, bpix, fpix) = Selection("FEDs to rerun (default: the failed ones; -1: all, as run.py)");
            var force = new Option<bool>("--force", "-f") { Description = "also recompute the FEDs named with --fed that are done (needs --fed N ... or --fed -1)" };
            Resubmit = Define(new Command("resubmit", "Run failed (or the named) FEDs of a run again") { run, feds, force, bpix, fpix }, r =>
            {
                var number = ReadRun(r, run);
                var (all, named, part) = ReadSelection(r, feds, bpix, fpix);
                int[] list = all ? [.. named, -1] : named;
                if (r.GetValue(force) && list.Length == 0)
                    throw new CommandUsageException(
                        $"--force needs the FEDs to recompute: --fed N ... (or --fed -1 for every FED), e.g. gaincal resubmit {number} --fed -1 --force");
                return new ResubmitRequest(number, list, r.GetValue(force), part);
            });
        }
        {
            var run = Run();
            var merge = new Command("merge", "Merge the done FEDs' results into the run's GainCalibration.parquet") { run };
            merge.Aliases.Add("hadd");
            Merge = Define(merge, r => new MergeRequest(ReadRun(r, run)));
        }
        Runs = Define(new Command("runs", "Every run the cluster knows, one line each: its state (created, running, done, merged, partial), FED counts, merge, output directory; then each worker node's FED slots and how many hold a FED"),
            _ => new ListRunsRequest());
    }

    /// <summary>run.py's FED selection, named as run.py names it: -n/--fed FED ..., -B/--BPix-only, -F/--FPix-only (with lower-case spellings).</summary>
    static (Option<string[]> Feds, Option<bool> BPix, Option<bool> FPix) Selection(string what)
    {
        var feds = new Option<string[]>("--fed", "-n")
        {
            Description = $"{what}: FEDs 1200,1296, ranges 1200-1210, bpix, fpix or all; repeatable",
            AllowMultipleArgumentsPerToken = true,
        };
        var bpix = new Option<bool>("--bpix-only", "-B", "--BPix-only") { Description = "only the BPix FEDs (1200-1293)" };
        var fpix = new Option<bool>("--fpix-only", "-F", "--FPix-only") { Description = "only the FPix FEDs (1296-1338)" };
        return (feds, bpix, fpix);
    }

    /// <summary>All: --fed -1 (run.py's every FED); Named: the FEDs the other --fed values select, sorted; Part: -B or -F.</summary>
    static (bool All, int[] Named, FedPart? Part) ReadSelection(ParseResult r, Option<string[]> feds, Option<bool> bpix, Option<bool> fpix)
    {
        if (r.GetValue(bpix) && r.GetValue(fpix)) throw new CommandUsageException("--bpix-only and --fpix-only exclude each other");
        var all = false;
        var named = new SortedSet<int>();
        foreach (var value in (r.GetValue(feds) ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (value == "-1")
            {
                all = true;
                continue;
            }
            try
            {
                named.UnionWith(FedSelection.Parse(value));
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                throw new CommandUsageException($"--fed: {e.Message}");
            }
        }
        return (all, named.ToArray(), r.GetValue(bpix) ? FedPart.BPix : r.GetValue(fpix) ? FedPart.FPix : null);
    }

    Command Define(Command command, Func<ParseResult, RunRequest> read)
    {
        _readers[command] = read;
        return command;
    }

    static Argument<string> Run() => new("RUN") { Description = "run number" };

    static uint ReadRun(ParseResult r, Argument<string> run)
    {
        var text = r.GetValue(run);
        return uint.TryParse(text, out var n) && n > 0 ? n : throw new CommandUsageException($"RUN must be a positive run number, got '{text}'");
    }

    /// <summary>The request of a parsed command line of one of these commands; a value that does not fit is a
    /// <see cref="CommandUsageException"/> in the operator's words.</summary>
    public RunRequest Read(ParseResult parsed) =>
        _readers.TryGetValue(parsed.CommandResult.Command, out var read)
            ? read(parsed)
            : throw new CommandUsageException($"not a run command: {parsed.CommandResult.Command.Name}");

    /// <summary>Parses "VERB ARGS..." (the words after `gaincal`): the request, or the first error in the operator's words.</summary>
    public RunRequest Parse(IReadOnlyList<string> words)
    {
        if (_root is null)
        {
            _root = new RootCommand();
            foreach (var c in Commands) _root.Subcommands.Add(c);
        }
        var parsed = _root.Parse(words.ToArray());
        if (parsed.Errors.Count > 0) throw new CommandUsageException(Describe(parsed.Errors[0]));
        return Read(parsed);
    }

    /// <summary>System.CommandLine's error, said as the command host always said it.</summary>
    static string Describe(ParseError error) => error.SymbolResult switch
    {
        OptionResult { Tokens.Count: 0, IdentifierToken: { } id } => $"option {id.Value} needs a value",
        _ when error.Message.StartsWith("Unrecognized command or argument '", StringComparison.Ordinal) && error.Message.Split('\'') is [_, var token, ..] =>
            token.StartsWith('-') && !int.TryParse(token, out _) ? $"unknown option {token}" : $"unexpected argument '{token}'",
        _ => error.Message,
    };
}
