using System.CommandLine;
using GainCal.Cluster;
using GainCal.Operations;

namespace GainCal.Cli.Commands;

/// <summary>The run commands of the reference's run.py (create, submit, status, resubmit, merge/hadd), sent to
/// a node's command host. The node checks and executes; this side only resolves paths against the current
/// directory and prints what comes back. Errors, found here or by the node, are `gaincal: error: ...` lines and exit code 1.</summary>
public static class RunCommands
{
    public const string DefaultNode = "127.0.0.1:9110";

    public static IEnumerable<Command> Create()
    {
        yield return CreateCommand();
        yield return Simple("submit", "Start every FED of a created run on the cluster");
        yield return StatusCommand();
        yield return ResubmitCommand();
        var merge = Simple("merge", "Merge the done FEDs' results into the run's GainCalibration.parquet");
        merge.Aliases.Add("hadd");
        yield return merge;
        yield return RunsCommand();
    }

    static Option<string> NodeOption() => new("--node")
    {
        Description = "command host of any cluster node, HOST:PORT",
        DefaultValueFactory = _ => DefaultNode,
    };

    static Argument<string> RunArgument() => new("RUN") { Description = "run number" };

    static Command Simple(string name, string description)
    {
        var run = RunArgument();
        var node = NodeOption();
        var c = new Command(name, description) { run, node };
        c.SetAction((r, ct) => Send(r.GetValue(node)!, ["gaincal", name, ..RunOrThrow(r.GetValue(run))], ct));
        return c;
    }

    static Command RunsCommand()
    {
        var node = NodeOption();
        var c = new Command("runs", "Every run the cluster knows, one line each: FED counts, merge, output directory") { node };
        c.SetAction((r, ct) => Send(r.GetValue(node)!, ["gaincal", "runs"], ct));
        return c;
    }

    static Command CreateCommand()
    {
        var run = RunArgument();
        var input = new Option<string>("--input", "-i") { Description = "directory of the GainCalibration_<FED>_<RUN>.dmp files", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "output directory (GainRun_<RUN> is created in it)", Required = true };
        var tag = new Option<string?>("--tag", "-t") { Description = "VCal tag: a table file, or the name of one beside the input directory" };
        var bpix = new Option<bool>("--bpix-only", "-B") { Description = "only the BPix FEDs" };
        var node = NodeOption();
        var c = new Command("create", "Record a run: scan its input directory, prepare its output directory") { run, input, output, tag, bpix, node };
        c.SetAction((r, ct) =>
        {
            List<string> args = ["gaincal", "create", ..RunOrThrow(r.GetValue(run)),
                "-i", Path.GetFullPath(r.GetValue(input)!), "-o", Path.GetFullPath(r.GetValue(output)!)];
            if (r.GetValue(tag) is { Length: > 0 } t) args.AddRange(["-t", t.Contains('/') ? Path.GetFullPath(t) : t]);
            if (r.GetValue(bpix)) args.Add("--bpix-only");
            return Send(r.GetValue(node)!, args, ct);
        });
        return c;
    }

    static Command ResubmitCommand()
    {
        var run = RunArgument();
        var feds = new Option<int[]>("--fed", "-n") { Description = "FEDs to rerun (default: the failed ones; -1: all, as run.py)", AllowMultipleArgumentsPerToken = true };
        var force = new Option<bool>("--force", "-f") { Description = "also recompute the FEDs named with --fed that are done (needs --fed N ... or --fed -1)" };
        var node = NodeOption();
        var c = new Command("resubmit", "Run failed (or the named) FEDs of a run again") { run, feds, force, node };
        c.SetAction((r, ct) =>
        {
            List<string> args = ["gaincal", "resubmit", ..RunOrThrow(r.GetValue(run))];
            if (r.GetValue(feds) is { Length: > 0 } list) args.AddRange(["--fed", ..list.Select(f => f.ToString())]);
            if (r.GetValue(force)) args.Add("--force");
            return Send(r.GetValue(node)!, args, ct);
        });
        return c;
    }

    static Command StatusCommand()
    {
        var run = RunArgument();
        var watch = new Option<bool>("--watch", "-w") { Description = "refresh every second until every FED has ended and the run is merged" };
        var json = new Option<bool>("--json") { Description = "machine-readable status" };
        var node = NodeOption();
        var c = new Command("status", "Per-FED state, node, attempts, progress and errors of a run") { run, watch, json, node };
        c.SetAction(async (r, ct) =>
        {
            var runArgs = RunOrThrow(r.GetValue(run));
            if (!r.GetValue(watch))
                return await Send(r.GetValue(node)!, ["gaincal", "status", ..runArgs, ..(r.GetValue(json) ? new[] { "--json" } : [])], ct);
            return await Watch(r.GetValue(node)!, runArgs[0], Console.Out, ct);
        });
        return c;
    }

    /// <summary>Polls the run's status once a second and redraws it; returns when every FED has ended and the
    /// merge is current (or cannot come), with 0 if no FED failed.</summary>
    public static async Task<int> Watch(string node, string run, TextWriter output, CancellationToken ct)
    {
        var redraw = !Console.IsOutputRedirected && output == Console.Out;
        DateTime? endedAt = null;
        while (!ct.IsCancellationRequested)
        {
            var json = new System.Text.StringBuilder();
            var errors = new List<string>();
            var code = await CommandHostClient.RunAsync(node, CommandLineText.Join(["gaincal", "status", run, "--json"]),
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
                var mergeSettled = view.MergeCurrent || view.Count(FedPhase.Done) == 0 || view.Merge is { Ok: false }
                                   || DateTime.UtcNow - endedAt > TimeSpan.FromSeconds(60);
                if (mergeSettled) return view.Count(FedPhase.Failed) == 0 ? 0 : 1;
            }
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
        return 130;
    }

    static string[] RunOrThrow(string? run) =>
        uint.TryParse(run, out var n) && n > 0
            ? [n.ToString()]
            : throw new ArgumentException($"RUN must be a positive run number, got '{run}'");

    /// <summary>Sends one command line and prints the answer. Client-side failures (a bad run number or --node, an
    /// unreachable node) are thrown and become CliErrors' one line with exit code 1.</summary>
    public static async Task<int> Send(string node, IEnumerable<string> args, CancellationToken ct)
    {
        var code = await CommandHostClient.RunAsync(node, CommandLineText.Join(args), Console.WriteLine,
            l => Console.Error.WriteLine(FromNode(l)), ct);
        return code == 0 ? 0 : 1;
    }

    /// <summary>The node's `error: ...` lines, prefixed like the CLI's own; its usage lines as they are.</summary>
    static string FromNode(string line) => line.StartsWith("error: ", StringComparison.Ordinal) ? $"gaincal: {line}" : line;
}
