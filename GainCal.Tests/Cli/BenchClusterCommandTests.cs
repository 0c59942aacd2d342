using System.Diagnostics;

namespace GainCal.Tests.Cli;

/// <summary>`gaincal bench cluster` at its smallest, started through the apphost as an operator starts it (its
/// `calibrate` children must start the same way) and through `dotnet gaincal.dll`.</summary>
[Trait("Category", "Slow")]
public class BenchClusterCommandTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Runs_its_fed_by_fed_and_cluster_passes_and_prints_the_figures(bool apphost)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "gaincal.dll");
        var start = apphost ? new ProcessStartInfo(Path.ChangeExtension(dll, null)) : new ProcessStartInfo("dotnet") { ArgumentList = { dll } };
        foreach (var a in new[] { "bench", "cluster", "--feds", "2", "--nodes", "1" }) start.ArgumentList.Add(a);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var p = Process.Start(start)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var errors = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}: {await output}{await errors}");
        var text = await output;
        Assert.Contains("2 FEDs x 2 ROCs", text);
        Assert.Contains("`gaincal calibrate` per FED, one after another:", text);
        Assert.Contains("1-node cluster, submit to every FED done:", text);
        // CPU of the loop's process and of the cluster's node processes, so that a ratio can be told from the load.
        Assert.Matches(@"one process, FED after FED: .* CPU \d+\.\d\d s per FED", text);
        Assert.Matches(@"1-node cluster, submit to every FED done: .* CPU \d+\.\d\d s per FED", text);
        // The warm-up gave the node a FED, so nothing is timed cold.
        Assert.DoesNotContain("timed cold", text);
    }
}
