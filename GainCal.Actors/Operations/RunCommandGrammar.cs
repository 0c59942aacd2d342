using System.CommandLine;
using System.CommandLine.Parsing;

namespace GainCal.Operations;

/// <summary>A run command's request, read from a command line.</summary>
public abstract record RunRequest(uint Run);
public sealed record CreateRequest(uint Run, string Input, string Output, string? Tag, bool BPixOnly, string? Reference = null) : RunRequest(Run);
public sealed record SubmitRequest(uint Run) : RunRequest(Run);
public sealed record StatusRequest(uint Run, bool Json) : RunRequest(Run);
/// <summary>Feds empty: the failed ones; -1: all (run.py's --fed -1).</summary>
public sealed record ResubmitRequest(uint Run, int[] Feds, bool Force) : RunRequest(Run);
public sealed record MergeRequest(uint Run) : RunRequest(Run);
public sealed record ListRunsRequest() : RunRequest(0);

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
        ["create"] = "gaincal create RUN -i|--input DIR -o|--output DIR [-t|--tag VCALTAG] [-B|--bpix-only] [--reference RUN|TABLE]",
        ["submit"] = "gaincal submit RUN",
        ["status"] = "gaincal status RUN [--json]",
        ["resubmit"] = "gaincal resubmit RUN [-n|--fed FED ... [-f|--force]]   (default: the failed FEDs; --fed -1: all; --force: also the named FEDs that are done)",
        ["merge"] = "gaincal merge RUN   (alias: hadd)",
        ["runs"] = "gaincal runs   (every run the coordinator knows, with its FED counts)",
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

    /// <summary>The --input, --output and --tag options of create (the CLI resolves their paths before sending).</summary>
    public Option<string> Input { get; }
    public Option<string> Output { get; }
    public Option<string?> Tag { get; }
    /// <summary>create's drift reference: a run number, or a table/summary path (the CLI makes it absolute).</summary>
    public Option<string?> Reference { get; }

    public RunCommandGrammar()
    {
        {
            var run = Run();
            Input = new Option<string>("--input", "-i") { Description = "directory of the GainCalibration_<FED>_<RUN>.dmp files", Required = true };
            Output = new Option<string>("--output", "-o") { Description = "output directory (GainRun_<RUN> is created in it)", Required = true };
            Tag = new Option<string?>("--tag", "-t") { Description = "VCal tag: a table file, or the name of one beside the input directory" };
            var bpix = new Option<bool>("--bpix-only", "-B") { Description = "only the BPix FEDs" };
            Reference = new Option<string?>("--reference")
            {
                Description = "the calibration the run's merge is compared with (drift per layer, disk/ring and module in status, summary, " +
                              "metrics): a run number, or a merged table / summary_Run<RUN>.json; default: the previous merged run",
            };
            Create = Define(new Command("create", "Record a run: scan its input directory, prepare its output directory") { run, Input, Output, Tag, bpix, Reference },
                r => new CreateRequest(ReadRun(r, run), r.GetValue(Input)!, r.GetValue(Output)!, r.GetValue(Tag) is { Length: > 0 } t ? t : null,
                    r.GetValue(bpix), r.GetValue(Reference) is { Length: > 0 } reference ? reference : null));
        }
        {
            var run = Run();
            Submit = Define(new Command("submit", "Start every FED of a created run on the cluster") { run }, r => new SubmitRequest(ReadRun(r, run)));
        }
        {
            var run = Run();
            var json = new Option<bool>("--json") { Description = "machine-readable status" };
            Status = Define(new Command("status", "Per-FED state, node, attempts, progress and errors of a run") { run, json },
                r => new StatusRequest(ReadRun(r, run), r.GetValue(json)));
        }
        {
            var run = Run();
            var feds = new Option<string[]>("--fed", "-n")
                { Description = "FEDs to rerun (default: the failed ones; -1: all, as run.py)", AllowMultipleArgumentsPerToken = true };
            var force = new Option<bool>("--force", "-f") { Description = "also recompute the FEDs named with --fed that are done (needs --fed N ... or --fed -1)" };
            Resubmit = Define(new Command("resubmit", "Run failed (or the named) FEDs of a run again") { run, feds, force }, r =>
            {
                var number = ReadRun(r, run);
                var list = (r.GetValue(feds) ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries))
                    .Select(v => int.TryParse(v, out var f) && (f > 0 || f == -1) ? f : throw new CommandUsageException($"FED '{v}' is not a FED number (or -1 for all)"))
                    .ToArray();
                if (r.GetValue(force) && list.Length == 0)
                    throw new CommandUsageException(
                        $"--force needs the FEDs to recompute: --fed N ... (or --fed -1 for every FED), e.g. gaincal resubmit {number} --fed -1 --force");
                return new ResubmitRequest(number, list, r.GetValue(force));
            });
        }
        {
            var run = Run();
            var merge = new Command("merge", "Merge the done FEDs' results into the run's GainCalibration.parquet") { run };
            merge.Aliases.Add("hadd");
            Merge = Define(merge, r => new MergeRequest(ReadRun(r, run)));
        }
        Runs = Define(new Command("runs", "Every run the cluster knows, one line each: FED counts, merge, output directory"), _ => new ListRunsRequest());
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
