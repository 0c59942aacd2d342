using GainCal.Cluster;
using GainCal.Results;
using static GainCal.Tests.Cluster.ClusterReliabilityTests;

namespace GainCal.Tests.Cluster;

/// <summary>The scenario of <see cref="ClusterReliabilityTests"/> with every node killed at once mid-run. A class of its
/// own so that it runs beside the other cluster scenarios (each on its own free ports and directories).</summary>
[Trait("Category", "Slow")]
public class WholeClusterKilledTests
{
    [Fact]
    public async Task Whole_cluster_killed_mid_run_resumes_without_redoing_done_feds()
    {
        using var dir = new TempDir();
        var (sim, reference) = SimulatedRun.CopyOf(dir.Sub("in"), RunNumber, Feds, RocsPerFed);
        await using var cluster = await LocalCluster.StartAsync(3, dir.Sub("data"), dir.Path, NodeArgs);
        Assert.Equal(0, (await cluster.RunAsync(1, $"gaincal create {RunNumber} -i {sim.InputDir} -o {dir.Path}/out")).Code);
        Assert.Equal(0, (await cluster.RunAsync(1, $"gaincal submit {RunNumber}")).Code);
        var mid = await cluster.WaitAsync(1, RunNumber, s =>
        {
            if (s.AllEnded) throw new InvalidOperationException("the run ended before the cluster could be stopped; use bigger FEDs");
            return s.Count(FedPhase.Done) >= 2 && s.Count(FedPhase.Running) >= 2;
        }, RunTimeout, "two FEDs done, two running");

        // What is done now must stay done: its attempt count and result file, taken before the stop.
        var doneBefore = mid.Feds.Where(f => f.Phase == FedPhase.Done)
            .ToDictionary(f => f.Fed, f => (f.Attempts, File.GetLastWriteTimeUtc(f.ResultPath!)));
        // Every node at once, as a power cut would: no hand-off, only the journal survives. (A graceful stop of
        // every node ends each of the other tests.)
        await cluster.StopAllAsync(kill: true);
        await cluster.StartAllAsync();
        await cluster.WaitMembersAsync(3, 1, TimeSpan.FromSeconds(60));

        var end = await cluster.WaitAsync(1, RunNumber, s => s.AllEnded && s.MergeCurrent, RunTimeout, "run merged after restart");
        var rerun = end.Feds.Where(f => f.Attempts >= 2).Select(f => f.Fed).ToList();
        Report($"all nodes killed mid-run and restarted: {doneBefore.Count} FEDs done before, {Feds.Length - doneBefore.Count} resumed, " +
               $"{rerun.Count} of them interrupted mid-FED and run again");
        Assert.All(end.Feds, f => Assert.Equal(FedPhase.Done, f.Phase));
        foreach (var (fed, (attempts, written)) in doneBefore)
        {
            var f = end.Feds.Single(x => x.Fed == fed);
            Assert.Equal(attempts, f.Attempts);
            Assert.Equal(written, File.GetLastWriteTimeUtc(f.ResultPath!));
        }
        // FEDs running at the kill had their attempt persisted; after the restart they ran a second one.
        Assert.NotEmpty(rerun);
        Assert.True(PixelTable.Read(end.Merge!.MergedPath!).ContentEquals(reference), "merged table differs from the FED-by-FED calibration");
        Assert.Empty(cluster.LogLines("ERROR", ClusterReliabilityTests.RememberEntitiesTimeout));
    }
}
