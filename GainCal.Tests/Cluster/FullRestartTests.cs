using GainCal.Cluster;
using GainCal.Results;
using static GainCal.Tests.Cluster.ClusterReliabilityTests;

namespace GainCal.Tests.Cluster;

/// <summary>The scenario of <see cref="ClusterReliabilityTests"/> with a full restart, node 1 first and the others joining.
/// A class of its own so that it runs beside the other cluster scenarios (each on its own free ports and directories).</summary>
[Trait("Category", "Slow")]
public class FullRestartTests
{
    [Fact]
    public async Task Running_feds_finish_where_they_are_when_nodes_join_after_a_full_restart()
    {
        using var dir = new TempDir();
        var (sim, reference) = SimulatedRun.CopyOf(dir.Sub("in"), RunNumber, Feds, RocsPerFed);
        // Slower reading than the other tests: a FED lasts about 40 s, several rebalance intervals (10 s), and half of
        // the run's FEDs run at once on the first node, so a rebalance after the other nodes join finds FEDs running.
        string[] slow = ["--max-feds", "6", "--fit-workers", "1", "--read-limit", "1"];
        await using var cluster = await LocalCluster.StartAsync(3, dir.Sub("data"), dir.Path, slow);
        Assert.Equal(0, (await cluster.RunAsync(1, $"gaincal create {RunNumber} -i {sim.InputDir} -o {dir.Path}/out")).Code);
        Assert.Equal(0, (await cluster.RunAsync(1, $"gaincal submit {RunNumber}")).Code);
        await cluster.WaitAsync(1, RunNumber, s => s.Count(FedPhase.Running) >= 2, RunTimeout, "FEDs running");
        await cluster.StopAllAsync(kill: true);

        // Node 1 alone first: it runs its interrupted FEDs again and fills its free slots with the FEDs of the absent nodes.
        await cluster.StartNodeAsync(1);
        await cluster.WaitMembersAsync(1, 1, TimeSpan.FromSeconds(60));
        var alone = await cluster.WaitAsync(1, RunNumber, s => s.Feds.Count(f => f.Phase == FedPhase.Running && f.Node == cluster.Address(1)) >= 2,
            RunTimeout, "FEDs running on node 1 alone");
        var running = alone.Feds.Where(f => f.Phase == FedPhase.Running && f.Node == cluster.Address(1)).ToDictionary(f => f.Fed, f => f.Attempts);
        // Then the others join and take the FEDs that still wait; nothing running moves.
        await cluster.StartNodeAsync(2);
        await cluster.StartNodeAsync(3);
        await cluster.WaitMembersAsync(3, 1, TimeSpan.FromSeconds(60));

        var end = await cluster.WaitAsync(1, RunNumber, s => s.AllEnded && s.MergeCurrent, RunTimeout, "run merged after the restart");
        Report($"full restart, node 1 alone then two joining: {running.Count} FEDs running on node 1 when they joined; " +
               $"attempts at the end: {string.Join(", ", running.Keys.Select(f => $"FED {f} {running[f]} -> {end.Feds.Single(x => x.Fed == f).Attempts}"))}");
        foreach (var (fed, attempts) in running)
        {
            var f = end.Feds.Single(x => x.Fed == fed);
            Assert.Equal((FedPhase.Done, attempts, cluster.Address(1)), (f.Phase, f.Attempts, f.Node));
        }
        // The joiners got work: the FEDs that waited were placed on their free slots.
        Assert.Contains(end.Feds, f => f.Node != cluster.Address(1));
        Assert.True(PixelTable.Read(end.Merge!.MergedPath!).ContentEquals(reference), "merged table differs from the FED-by-FED calibration");
        Assert.Empty(cluster.LogLines("ERROR", ClusterReliabilityTests.RememberEntitiesTimeout));
    }
}
