using System.Diagnostics;
using GainCal.Cluster;
using GainCal.Operations;
using GainCal.Results;

namespace GainCal.Tests.Cluster;

/// <summary>Real node processes on loopback (deploy/local), a simulated run of 12 FEDs (BPix and FPix), and the
/// failures an operator meets: a node killed mid-run (the oldest, home of the run coordinator and the shard
/// coordinators, and a young one), a corrupt dump, repeated commands. The whole cluster stopped mid-run and the full
/// restart are classes of their own (WholeClusterKilledTests, FullRestartTests) so that they run beside these.</summary>
[Trait("Category", "Slow")]
public class ClusterReliabilityTests
{
    public const uint RunNumber = 361025;
    public static readonly int[] Feds = [1200, 1201, 1202, 1203, 1204, 1205, 1206, 1207, 1208, 1296, 1297, 1298];
    public const int RocsPerFed = ClusterTestSizes.RocsPerFed;
    internal static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(6);

    // Three nodes, two FEDs at a time each, reading at a bounded rate: with 12 FEDs the run is still going when a node is killed.
    internal static readonly string[] NodeArgs = ["--max-feds", "2", "--fit-workers", "1", "--read-limit", ClusterTestSizes.ReadLimit];

    static readonly Lock MeasurementsFile = new();

    /// <summary>Locked: the cluster scenarios run in parallel and append to the same file.</summary>
    internal static void Report(string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        var dir = Directory.CreateDirectory(Path.Combine(LocalCluster.RepoRoot, "artifacts"));
        lock (MeasurementsFile) File.AppendAllText(Path.Combine(dir.FullName, "cluster-measurements.txt"), $"{DateTime.UtcNow:u} {line}\n");
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
    internal const string RememberEntitiesTimeout = "Failed to load initial entity ids from remember entities store";

    static int RunningOn(RunStatusView s, string node) => s.Feds.Count(f => f.Phase == FedPhase.Running && f.Node == node);

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
}
