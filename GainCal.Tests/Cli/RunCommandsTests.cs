using GainCal.Tests.Cluster;
using GainCal.Operations;
using GainCal.Tests.Operations;

namespace GainCal.Tests.Cli;

/// <summary>The built gaincal's run commands against an in-process node.</summary>
public class RunCommandsTests
{
    [Fact]
    public async Task Runs_lists_the_clusters_runs_like_the_node_palette()
    {
        using var dir = new TempDir();
        await using var node = await InProcessNode.StartAsync(dir.Path, dir.Path);
        // Once the coordinator has heard the node's slots, both answers describe the same state.
        (int Code, string Out, string Err) runs;
        for (var i = 0; ; i++)
        {
            runs = await PbmClientTests.Gaincal(null, "runs", "--node", node.CommandEndpoint);
            if (runs.Out.Contains(" busy\n", StringComparison.Ordinal) || i >= 100) break;
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
        Assert.Equal((0, ""), (runs.Code, runs.Err));
        Assert.Matches(@"^no runs; create one with gaincal create RUN -i DIR -o DIR\nFED slots: 127\.0\.0\.1:\d+ 0 of \d+ busy\n$", runs.Out);
        var viaPbm = await PbmClientTests.Gaincal(null, "pbm", node.CommandEndpoint, "gaincal", "runs");
        Assert.Equal(runs.Out, viaPbm.Out);
    }

    [Fact]
    public async Task Errors_of_run_commands_are_gaincal_error_lines_with_exit_code_1()
    {
        using var dir = new TempDir();
        await using var node = await InProcessNode.StartAsync(dir.Path, dir.Path);
        var unknown = await PbmClientTests.Gaincal(null, "status", "424242", "--node", node.CommandEndpoint);
        Assert.Equal((1, "gaincal: error: run 424242 is not known; create it first (gaincal create 424242 -i DIR -o DIR)\n"),
            (unknown.Code, unknown.Err));
        var badRun = await PbmClientTests.Gaincal(null, "submit", "abc", "--node", node.CommandEndpoint);
        Assert.Equal((1, "gaincal: error: RUN must be a positive run number, got 'abc'\nusage: gaincal submit RUN\n"), (badRun.Code, badRun.Err));
        var badNode = await PbmClientTests.Gaincal(null, "submit", "5", "--node", "garbage");
        Assert.Equal((1, "gaincal: error: --node garbage: expected HOST:PORT, e.g. 127.0.0.1:9110\n"), (badNode.Code, badNode.Err));
        var force = await PbmClientTests.Gaincal(null, "resubmit", "5", "--force", "--node", node.CommandEndpoint);
        Assert.Equal(1, force.Code);
        Assert.StartsWith("gaincal: error: --force needs the FEDs to recompute: --fed N ... (or --fed -1 for every FED)", force.Err);
        Assert.Contains("\nusage: gaincal resubmit RUN [-n|--fed FEDS ... [-f|--force]]", force.Err);
        // Nothing listens on port 1: one line, exit 1, for a single answer and for --watch.
        foreach (var args in new[] { new[] { "status", "5", "--node", "127.0.0.1:1" }, ["status", "5", "--watch", "--node", "127.0.0.1:1"] })
        {
            var unreachable = await PbmClientTests.Gaincal(null, args);
            Assert.Equal(1, unreachable.Code);
            Assert.StartsWith("gaincal: error: cannot reach node 127.0.0.1:1", unreachable.Err);
            Assert.Single(unreachable.Err.TrimEnd('\n').Split('\n'));
        }
    }

    /// <summary>The built gaincal with the environment given (GAINCAL_NODE unset and an empty config directory unless given).</summary>
    static async Task<(int Code, string Out, string Err)> Cli(Dictionary<string, string> environment, params string[] args)
    {
        using var home = new TempDir();
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "gaincal.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("GAINCAL_NODE");
        psi.Environment["XDG_CONFIG_HOME"] = home.Path;
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (p.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task The_node_is_set_once_and_the_flag_wins_over_the_environment_over_the_config_file()
    {
        using var dir = new TempDir();
        await using var node = await InProcessNode.StartAsync(dir.Sub("data"), dir.Path);
        const string none = "no runs; create one with gaincal create RUN -i DIR -o DIR";
        const string nobody = "127.0.0.1:1";   // nothing listens there
        var config = dir.Sub("config");
        var file = Path.Combine(Directory.CreateDirectory(Path.Combine(config, "gaincal")).FullName, "cli.json");
        var withFile = new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = config };

        File.WriteAllText(file, $"{{\"node\": \"{node.CommandEndpoint}\"}}");
        Assert.Equal((0, none), Pick(await Cli(withFile, "runs")));
        Assert.Equal((0, none), Pick(await Cli(new() { ["XDG_CONFIG_HOME"] = config, ["GAINCAL_NODE"] = node.CommandEndpoint }, "runs")));
        Assert.Equal((0, none), Pick(await Cli(new() { ["GAINCAL_NODE"] = nobody }, "runs", "--node", node.CommandEndpoint)));
        // Each level is really read: the one that wins decides where the command goes.
        Assert.StartsWith($"gaincal: error: cannot reach node {nobody}",
            (await Cli(new() { ["XDG_CONFIG_HOME"] = config, ["GAINCAL_NODE"] = nobody }, "runs")).Err);
        File.WriteAllText(file, $"{{\"node\": \"{nobody}\"}}");
        Assert.StartsWith($"gaincal: error: cannot reach node {nobody}", (await Cli(withFile, "status", "5")).Err);
        File.WriteAllText(file, "{node");
        var broken = await Cli(withFile, "runs");
        Assert.Equal(1, broken.Code);
        Assert.StartsWith($"gaincal: error: {file}: not JSON", broken.Err);
        Assert.Single(broken.Err.TrimEnd('\n').Split('\n'));
        Assert.Contains("$GAINCAL_NODE, else \"node\" in ~/.config/gaincal/cli.json", (await Cli(new(), "status", "--help")).Out);
    }

    /// <summary>The exit code and the first line out (the runs; the FED slots line after them may change between calls).</summary>
    static (int, string) Pick((int Code, string Out, string Err) r) => (r.Code, r.Out.Split('\n')[0]);

    [Fact]
    public async Task A_command_that_does_nothing_exits_with_3_and_one_that_fails_with_1()
    {
        using var dir = new TempDir();
        var (sim, _) = SimulatedRun.CopyOf(dir.Sub("in"), 717171, [1200, 1296], 4);
        await using var node = await InProcessNode.StartAsync(dir.Sub("data"), dir.Path);
        var at = new Dictionary<string, string> { ["GAINCAL_NODE"] = node.CommandEndpoint };

        Assert.Equal(0, (await Cli(at, "create", "717171", "-i", sim.InputDir, "-o", dir.Path + "/out", "-F")).Code);
        Assert.Equal(0, (await Cli(at, "submit", "717171")).Code);
        var again = await Cli(at, "submit", "717171");
        Assert.Equal((ExitCodes.NothingDone, ""), (again.Code, again.Err));
        Assert.StartsWith("run 717171 was already submitted", again.Out);
        await node.WaitAsync(717171, s => s.AllEnded);
        var nothing = await Cli(at, "resubmit", "717171");
        Assert.Equal((ExitCodes.NothingDone, "run 717171 has no failed FED; nothing resubmitted\n"), (nothing.Code, nothing.Out));
        Assert.Equal(1, (await Cli(at, "resubmit", "717171", "--fed", "1200")).Code);   // -F: the run has FPix FEDs only
        var status = await Cli(at, "status", "717171", "--fed", "fpix");
        Assert.Equal(0, status.Code);
        Assert.Contains("1296  done", status.Out);
    }
}
