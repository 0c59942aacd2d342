using System.Diagnostics;
using GainCal.Cluster;
using GainCal.Operations;
using GainCal.Results;

namespace GainCal.Tests.Cluster;

/// <summary>Real node processes on loopback (deploy/local), a simulated run of 12 FEDs (BPix and FPix), and the
/// failures an operator meets: a node killed mid-run (the oldest, home of the run coordinator and the shard
/// coordinators, and a young one), the whole cluster stopped mid-run, a corrupt dump, repeated commands.</summary>
[Trait("Category", "Slow")]
public class ClusterReliabilityTests
{
    public const uint RunNumber = 361025;
    public static readonly int[] Feds = [1200, 1201, 1202, 1203, 1204, 1205, 1206, 1207, 1208, 1296, 1297, 1298];
    public const int RocsPerFed = ClusterTestSizes.RocsPerFed;
    static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(6);

    // Three nodes, two FEDs at a time each, reading at a bounded rate: with 12 FEDs the run is still going when a node is killed.
    static readonly string[] NodeArgs = ["--max-feds", "2", "--fit-workers", "1", "--read-limit", ClusterTestSizes.ReadLimit];

    static void Report(string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        var dir = Directory.CreateDirectory(Path.Combine(LocalCluster.RepoRoot, "artifacts"));
        File.AppendAllText(Path.Combine(dir.FullName, "cluster-measurements.txt"), $"{DateTime.UtcNow:u} {line}\n");
    }

    [Fact]
    public Task Run_survives_kill_of_the_oldest_node() => KillMidRun(oldest: true);

    [Fact]
    public Task Run_survives_kill_of_a_young_node() => KillMidRun(oldest: false);

    async Task KillMidRun(bool oldest)
    {
        using var dir = new TempDir();
        var (sim, reference) = SimulatedRun.CopyOf(dir.Sub("in"), RunNumber, Feds, RocsPerFed);
        await using var cluster = await LocalCluster.StartAsync(3, dir.Sub("data"), dir.Path, NodeArgs);
        var started = Stopwatch.StartNew();
        Assert.Equal(0, (await cluster.RunAsync(2, $"gaincal create {RunNumber} -i {sim.InputDir} -o {dir.Path}/out")).Code);
        Assert.Equal(0, (await cluster.RunAsync(2, $"gaincal submit {RunNumber}")).Code);

        var first = await cluster.StatusAsync(2, RunNumber);
        var coordinatorNode = Enumerable.Range(1, 3).Single(i => cluster.Address(i) == first!.CoordinatorNode);
        int victim = 0;
        var before = await cluster.WaitAsync(2, RunNumber, s =>
        {
            if (s.Count(FedPhase.Done) >= s.Feds.Length - 4) throw new InvalidOperationException("the run ended before a node could be killed mid-run; use bigger FEDs");
            victim = oldest ? coordinatorNode : Enumerable.Range(1, 3).FirstOrDefault(i => i != coordinatorNode && RunningOn(s, cluster.Address(i)) > 0);
            return victim != 0 && RunningOn(s, cluster.Address(victim)) > 0 && s.Count(FedPhase.Running) >= 3;
        }, RunTimeout, "FEDs running on every node");
        var victimAddress = cluster.Address(victim);
        var lost = before.Feds.Where(f => f.Node == victimAddress && f.Phase == FedPhase.Running).Select(f => f.Fed).ToArray();

        cluster.Kill(victim);
        var killed = Stopwatch.StartNew();
        var survivor = victim == 1 ? 2 : 1;
        // Failed over: the FEDs the victim was running run again (or are done) on survivors, none is shown on the victim.
        var afterKill = await cluster.WaitAsync(survivor, RunNumber, s =>
                s.Feds.Where(f => lost.Contains(f.Fed)).All(f =>
                    f.Phase is FedPhase.Done || (f.Phase is FedPhase.Running or FedPhase.Queued && f.Node is not null && f.Node != victimAddress))
                && s.Feds.All(f => f.Phase is FedPhase.Done or FedPhase.Failed || f.Node != victimAddress),
            RunTimeout, "the victim's FEDs running again on survivors");
        var failover = killed.Elapsed;
        Report($"kill -9 of the {(oldest ? "oldest" : "young")} node {victimAddress} (coordinator on {first!.CoordinatorNode}) running FEDs " +
               $"{FedList.Format(lost)}: running again on survivors after {failover.TotalSeconds:F1} s " +
               $"(coordinator now on {afterKill.CoordinatorNode})");

        var end = await cluster.WaitAsync(survivor, RunNumber, s => s.AllEnded && s.MergeCurrent, RunTimeout, "run merged");
        Report($"run of {Feds.Length} FEDs on 3 nodes with a kill: {started.Elapsed.TotalSeconds:F1} s");
        Assert.All(end.Feds, f => Assert.Equal(FedPhase.Done, f.Phase));
        Assert.Contains(end.Feds, f => lost.Contains(f.Fed) && f.Attempts >= 2);
        Assert.True(PixelTable.Read(end.Merge!.MergedPath!).ContentEquals(reference), "merged table differs from the FED-by-FED calibration");
        // Every message crossed processes and went to the journal through our serializer, none through a default one.
        Assert.Empty(cluster.LogLines("WARNING", "serializ"));
        Assert.Empty(cluster.LogLines("ERROR", RememberEntitiesTimeout));
    }

    /// <summary>What Akka's shard logs when its remembered entities do not load in time (it then backs off for seconds).</summary>
    const string RememberEntitiesTimeout = "Failed to load initial entity ids from remember entities store";

    static int RunningOn(RunStatusView s, string node) => s.Feds.Count(f => f.Phase == FedPhase.Running && f.Node == node);

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
        Assert.Empty(cluster.LogLines("ERROR", RememberEntitiesTimeout));
    }

    [Fact]
    public async Task Corrupt_fed_fails_alone_and_resubmit_reruns_only_it_and_repeats_do_no_work()
    {
        using var dir = new TempDir();
        var (sim, reference) = SimulatedRun.CopyOf(dir.Sub("in"), RunNumber, Feds, RocsPerFed);
        var bad = Feds[3];
        var good = File.ReadAllBytes(sim.DumpPath(bad));
        ClusterTestSizes.Corrupt(sim.DumpPath(bad));
        await using var cluster = await LocalCluster.StartAsync(1, dir.Sub("data"), dir.Path, "--max-feds", "2");
        var run = RunNumber;

        Assert.Equal(0, (await cluster.RunAsync(1, $"gaincal create {run} -i {sim.InputDir} -o {dir.Path}/out")).Code);
        Assert.Equal(0, (await cluster.RunAsync(1, $"gaincal submit {run}")).Code);
        var first = await cluster.WaitAsync(1, run, s => s.AllEnded && s.MergeCurrent, RunTimeout, "first pass merged");
        var failed = Assert.Single(first.Feds, f => f.Phase == FedPhase.Failed);
        Assert.Equal(bad, failed.Fed);
        Assert.Contains(Path.GetFileName(sim.DumpPath(bad)), failed.Error);
        Assert.Equal([bad], first.Merge!.FailedFeds);
        Assert.Equal(Feds.Length - 1, first.Merge.MergedFeds.Length);
        var written = first.Feds.Where(f => f.Phase == FedPhase.Done).ToDictionary(f => f.Fed, f => File.GetLastWriteTimeUtc(f.ResultPath!));
        Report($"corrupt FED {bad}: failed with \"{failed.Error}\"");

        // Repeats: no new work, and the answer says so.
        var again = await cluster.RunAsync(1, $"gaincal submit {run}");
        Assert.Equal(ExitCodes.NothingDone, again.Code);
        Assert.Contains("already submitted", again.Out.Single());
        var doneFed = Feds[0];
        var redo = await cluster.RunAsync(1, $"gaincal resubmit {run} --fed {doneFed}");
        Assert.Equal(ExitCodes.NothingDone, redo.Code);
        Assert.Equal([$"FED {doneFed} is done; not rerun (--force recomputes it)", "nothing resubmitted"], redo.Out);
        var merge = await cluster.RunAsync(1, $"gaincal merge {run}");
        Assert.Equal(ExitCodes.NothingDone, merge.Code);
        Assert.Contains("already merged from the same FED results", merge.Out[0]);

        // Wrong input: one line, non-zero.
        var unknownFed = await cluster.RunAsync(1, $"gaincal resubmit {run} --fed 1299");
        Assert.Equal(1, unknownFed.Code);
        Assert.StartsWith($"error: FED 1299 not in run {run}", unknownFed.Err.Single());
        var unknownRun = await cluster.RunAsync(1, "gaincal status 999999");
        Assert.Equal(1, unknownRun.Code);

        File.WriteAllBytes(sim.DumpPath(bad), good);
        var resubmit = await cluster.RunAsync(1, $"gaincal resubmit {run}");
        Assert.Equal(0, resubmit.Code);
        Assert.Equal($"resubmitted FED {bad}", resubmit.Out.Single());
        var end = await cluster.WaitAsync(1, run, s => s.AllEnded && s.MergeCurrent, RunTimeout, "second pass merged");
        Assert.All(end.Feds, f => Assert.Equal(FedPhase.Done, f.Phase));
        Assert.Equal(2, end.Feds.Single(f => f.Fed == bad).Attempts);
        foreach (var f in end.Feds.Where(f => f.Fed != bad))
        {
            Assert.Equal(1, f.Attempts);
            Assert.Equal(written[f.Fed], File.GetLastWriteTimeUtc(f.ResultPath!));
        }
        Assert.Empty(end.Merge!.FailedFeds);
        Assert.True(PixelTable.Read(end.Merge.MergedPath!).ContentEquals(reference), "merged table differs from the FED-by-FED calibration");

        // run.py's `--fed -1` names every FED; done ones are still not rerun.
        var all = await cluster.RunAsync(1, $"gaincal resubmit {run} --fed -1");
        Assert.Equal(ExitCodes.NothingDone, all.Code);
        Assert.Equal(Feds.Length + 1, all.Out.Count);
        Assert.Equal("nothing resubmitted", all.Out[^1]);
    }

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
        Assert.Empty(cluster.LogLines("ERROR", RememberEntitiesTimeout));
    }
}
