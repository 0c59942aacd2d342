using GainCal.Tests.Cluster;
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
        var runs = await PbmClientTests.Gaincal(null, "runs", "--node", node.CommandEndpoint);
        Assert.Equal((0, "no runs; create one with gaincal create RUN -i DIR -o DIR\n", ""), runs);
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
        Assert.Contains("\nusage: gaincal resubmit RUN [-n|--fed FED ... [-f|--force]]", force.Err);
        // Nothing listens on port 1: one line, exit 1, for a single answer and for --watch.
        foreach (var args in new[] { new[] { "status", "5", "--node", "127.0.0.1:1" }, ["status", "5", "--watch", "--node", "127.0.0.1:1"] })
        {
            var unreachable = await PbmClientTests.Gaincal(null, args);
            Assert.Equal(1, unreachable.Code);
            Assert.StartsWith("gaincal: error: cannot reach node 127.0.0.1:1", unreachable.Err);
            Assert.Single(unreachable.Err.TrimEnd('\n').Split('\n'));
        }
    }
}
