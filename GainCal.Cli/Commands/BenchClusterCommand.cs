using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using GainCal.Calibration;
using GainCal.Cluster;
using GainCal.Detector;
using GainCal.Operations;
using GainCal.Results;
using GainCal.Simulation;

namespace GainCal.Cli.Commands;

/// <summary>`gaincal bench cluster`: the same simulated FEDs calibrated FED after FED (`gaincal calibrate` processes,
/// and one in-process loop running the same FedPipeline the nodes run) and through 1-node and 3-node clusters: node
/// processes started with deploy/local when run from a checkout, else embedded nodes; wall times, throughput, each
/// cluster's ratio to the one-process loop, and the time from submit to the first FED running.</summary>
public static class BenchClusterCommand
{
    public static Command Create()
    {
        var rocs = new Option<int>("--rocs-per-fed")
        { Description = "ROCs simulated per FED (>= 1)", DefaultValueFactory = _ => 2, CustomParser = r => CliValues.Int(r, "--rocs-per-fed", min: 1) };
        var full = new Option<bool>("--full-size")
        {
            Description = "full-size FEDs: every ROC of FEDs cabled like FED 1296 (384 ROCs); --feds of them (default 6)",
        };
        var count = new Option<int>("--feds")
        {
            Description = $"how many of the {PixelFeds.All.Count} FED ids (1 to {PixelFeds.All.Count})", DefaultValueFactory = _ => PixelFeds.All.Count,
            CustomParser = r => CliValues.Int(r, "--feds", min: 1, max: PixelFeds.All.Count),
        };
        var nodes = new Option<int[]>("--nodes")
        {
            Description = "cluster sizes to run (each >= 1)", DefaultValueFactory = _ => [1, 3], AllowMultipleArgumentsPerToken = true,
            CustomParser = r => CliValues.Ints(r, "--nodes", min: 1),
        };
        var dir = new Option<string?>("--dir")
        { Description = "working directory, new or empty: every figure must come from work done by this run (default: a temporary one, deleted afterwards)" };
        var slots = new Option<int?>("--max-feds")
        { Description = "FED slots of each node, >= 1 (default: the cores divided among the nodes)", CustomParser = r => CliValues.Int(r, "--max-feds", min: 1) };
        var lab = new Option<bool>("--lab")
        {
            Description = "also run the FEDs through the 3-host lab of deploy/lab (needs root; dumps on its xrootd storage host) and print its " +
                          "throughput next to one host's (a 1-node cluster on this host; --nodes defaults to 1)",
        };
        var c = new Command("cluster", "Calibrate the same simulated FEDs one after another and through 1- and 3-node local clusters") { rocs, full, count, nodes, dir, slots, lab };
        c.SetAction((r, ct) =>
        {
            var fullSize = r.GetValue(full);
            var n = r.GetResult(count) is { Implicit: false } ? r.GetValue(count) : fullSize ? 6 : PixelFeds.All.Count;
            var withLab = r.GetValue(lab);
            var nodeCounts = withLab && r.GetResult(nodes) is null or { Implicit: true } ? new[] { 1 } : r.GetValue(nodes)!;
            return RunAsync(fullSize ? null : r.GetValue(rocs), n, nodeCounts, r.GetValue(dir), r.GetValue(slots), withLab, ct);
        });
        return c;
    }

    /// <param name="rocs">ROCs per FED; null: full-size FEDs, those cabled with as many ROCs as FED 1296.</param>
    static async Task<int> RunAsync(int? rocs, int count, int[] nodeCounts, string? dir, int? slots, bool lab, CancellationToken ct)
    {
        var c = CultureInfo.InvariantCulture;
        var work = dir is null ? Directory.CreateTempSubdirectory("gaincal-bench-").FullName : CliPaths.NewWorkDirectory(dir, "--dir");
        try
        {
            const uint run = 500001;
            var setup = FedCalibrationSetup.Default;
            var size = setup.Cabling.ForFed(1296).Rocs.Count;
            var eligible = (rocs is null ? PixelFeds.All.Where(f => setup.Cabling.Contains(f) && setup.Cabling.ForFed(f).Rocs.Count == size) : PixelFeds.All)
                .ToArray();
            var feds = eligible.Take(count).ToArray();
            var input = Path.Combine(work, "in");
            var clock = Stopwatch.StartNew();
            RunSimulator.Write(input, feds, setup, new SimulationOptions { Run = run, RocsPerFed = rocs }, writeTruthCsv: false);
            // Every configuration is timed warm: a separate run first, of FEDs as large as the measured ones, one for every slot
            // of the largest cluster, so that every node has run one. A node's first FED waits for its shard, and a young
            // node keeps compiling code it meets for the first time (the SQL journal's queries, sharding, Parquet, status
            // requests: with small warm-up FEDs, ~1 CPU second per node still went to the JIT during the measured run).
            var warmup = Path.Combine(work, "warmup");
            var warmupFeds = nodeCounts.Append(lab ? LabHosts : 1).Max(n => n * SlotsPerNode(n, slots));
            RunSimulator.Write(warmup, eligible.Take(Math.Max(2, warmupFeds)).ToArray(), setup,
                new SimulationOptions { Run = run - 1, RocsPerFed = rocs }, writeTruthCsv: false);
            var bytes = feds.Sum(f => new FileInfo(RunSimulator.DumpPath(input, f, run)).Length);
            Console.WriteLine(string.Create(c, $"{feds.Length} FEDs x {rocs?.ToString(c) ?? $"{size} (full-size)"} ROCs: {bytes / 1e6:F0} MB of dumps (simulated in {clock.Elapsed.TotalSeconds:F1} s); {Environment.ProcessorCount} cores; load {Load()}"));

            var plainDir = Directory.CreateDirectory(Path.Combine(work, "plain", "fed")).FullName;
            var pipeline = new FedPipeline(setup);
            foreach (var dump in Directory.GetFiles(warmup, "*.dmp")) pipeline.Run(dump).Table.Write(Path.Combine(plainDir, "warmup.parquet"));
            var loopCpu = new List<double>();
            double OneProcess()
            {
                var cpu = ProcessorSeconds();
                var loop = Stopwatch.StartNew();
                foreach (var fed in feds)
                    pipeline.Run(Path.Combine(input, new Dump.DumpFileName(fed, run).FileName)).Table
                        .Write(Path.Combine(plainDir, $"{fed}.parquet"));
                loopCpu.Add(ProcessorSeconds() - cpu);
                return loop.Elapsed.TotalSeconds;
            }
            var before = OneProcess();

            // What an operator without a cluster does: `gaincal calibrate` on each dump, one after another.
            clock.Restart();
            var cliDir = Path.Combine(work, "calibrate");
            foreach (var fed in feds)
                await CalibrateProcessAsync(Path.Combine(input, new Dump.DumpFileName(fed, run).FileName), cliDir, ct);
            var processes = clock.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(c, $"`gaincal calibrate` per FED, one after another:   {processes,7:F1} s  {bytes / processes / 1e6,6:F1} MB/s"));
            Console.WriteLine(string.Create(c, $"the same pipeline in one process, FED after FED: {before,7:F1} s  {bytes / before / 1e6,6:F1} MB/s  CPU {loopCpu[0] / feds.Length:F2} s per FED  (load {Load()})"));

            var clusters = new List<(int Nodes, Timing Timing, string Load)>();
            foreach (var n in nodeCounts) clusters.Add((n, await ClusterAsync(n, work, input, warmup, run, slots, ct), Load()));
            var labTiming = lab ? await LabAsync(input, warmup, run, slots, ct) : null;
            // Other jobs on a shared machine come and go: the loop is timed again after the clusters, and each cluster is
            // compared with the mean of the two loops (both printed, so their spread shows how far the ratios can be trusted).
            var after = OneProcess();
            var inProcess = (before + after) / 2;
            Console.WriteLine(string.Create(c, $"the same pipeline in one process, again after:   {after,7:F1} s  {bytes / after / 1e6,6:F1} MB/s  CPU {loopCpu[1] / feds.Length:F2} s per FED  (load {Load()}); ratios below are to the mean, {inProcess:F1} s"));
            foreach (var (n, t, load) in clusters)
                Console.WriteLine(string.Create(c,
                    $"{n}-node cluster, submit to every FED done:       {t.Done,7:F1} s  {bytes / t.Done / 1e6,6:F1} MB/s  CPU {t.Cpu / feds.Length:F2} s per FED  throughput {inProcess / t.Done:F2}x " +
                    $"the one-process loop (targets: 1 node >= 0.90, 3 nodes >= 0.85); first FED running {t.FirstRunning:F2} s after submit; " +
                    $"merged after {t.Merged:F1} s; FEDs per node: {t.Placement}; a free slot idle while a FED waited: longest {t.IdleWhileWaiting:F2} s " +
                    $"(status polled every 50 ms); {t.Settings}; load {load}"));
            if (labTiming is { } l)
            {
                Console.WriteLine(string.Create(c,
                    $"lab, 3 hosts (dumps and products on its xrootd host), submit to every FED done: {l.Done,7:F1} s  {bytes / l.Done / 1e6,6:F1} MB/s  " +
                    $"throughput {inProcess / l.Done:F2}x the one-process loop; merged after {l.Merged:F1} s; FEDs per node: {l.Placement}"));
                Console.WriteLine("(the lab's hosts share this machine's cores: it measures distribution and XRootD overheads, not more hardware)");
            }
            return 0;
        }
        finally
        {
            if (dir is null) Directory.Delete(work, true);
        }
    }

    static async Task CalibrateProcessAsync(string dump, string output, CancellationToken ct)
    {
        using var p = Process.Start(GaincalProcess.StartInfo("calibrate", dump, "-o", output))!;
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        if (p.ExitCode != 0) throw new InvalidOperationException($"gaincal calibrate {dump} failed: {await stdout}{await stderr}");
    }

    static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    /// <param name="IdleWhileWaiting">The longest time a free slot sat idle while a FED waited (as seen by polling status).</param>
    /// <param name="Cpu">CPU time of the cluster's processes from submit to every FED done (all their threads).</param>
    /// <param name="Nodes">How many nodes ran at least one of the run's FEDs.</param>
    sealed record Timing(double Done, double Merged, double FirstRunning, string Placement, int Nodes, double IdleWhileWaiting, double Cpu,
        string Settings = "");

    static double ProcessorSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    static async Task<Timing> ClusterAsync(int nodes, string work, string input, string warmup, uint run,
        int? slots, CancellationToken ct)
    {
        var cores = Environment.ProcessorCount;
        // The nodes share this machine's cores: their FED slots and fit workers together match the cores, and so do the
        // decoders of all FEDs running at once (each decoder reads the whole dump: more of them than cores only adds reading).
        var maxFeds = SlotsPerNode(nodes, slots);
        var fitWorkers = Math.Max(1, cores / nodes);
        var decoders = Math.Max(1, cores / (nodes * maxFeds));
        var settings = $"each node --max-feds {maxFeds} --fit-workers {fitWorkers} --decoders {decoders}";
        var output = Path.Combine(work, $"cluster-{nodes}");
        var data = Path.Combine(work, $"data-{nodes}");
        if (LocalProcessCluster.FindDeployScripts() is { } deploy)
        {
            await using var processes = await LocalProcessCluster.StartAsync(deploy, nodes, data, work, maxFeds, fitWorkers, decoders, ct);
            WarnIfCold(await RunToMergeAsync(processes.RunAsync, processes.ProcessorSeconds, run - 1, warmup, output, nodes * maxFeds, ct), nodes);
            return await RunToMergeAsync(processes.RunAsync, processes.ProcessorSeconds, run, input, output, nodes * maxFeds, ct) with { Settings = settings };
        }
        Console.WriteLine($"(no deploy/local beside this gaincal: the {nodes} nodes run embedded in this process)");
        await using var cluster = await EmbeddedCluster.StartAsync(nodes, data, work, maxFeds, fitWorkers, decoders, ct,
            // Nodes of one process leaving one after another log remoting disassociations as errors: noise here.
            logLevel: "OFF");
        WarnIfCold(await RunToMergeAsync(cluster.RunAsync, ProcessorSeconds, run - 1, warmup, output, nodes * maxFeds, ct), nodes);
        return await RunToMergeAsync(cluster.RunAsync, ProcessorSeconds, run, input, output, nodes * maxFeds, ct) with { Settings = settings };
    }

    const int LabHosts = 3;

    /// <summary>Says so when the warm-up left a node without a FED: that node's first FED is then timed cold.</summary>
    static void WarnIfCold(Timing warmup, int nodes)
    {
        if (warmup.Nodes < nodes)
            Console.WriteLine($"(the warm-up ran FEDs on {warmup.Nodes} of the {nodes} nodes ({warmup.Placement}): the others are timed cold)");
    }

    /// <summary>FED slots of each of <paramref name="nodes"/> nodes: --max-feds, or the host's cores divided among them.</summary>
    static int SlotsPerNode(int nodes, int? slots) => slots ?? Math.Max(1, Environment.ProcessorCount / nodes);

    /// <summary>The same FEDs through the 3-host lab: the dumps are put on its storage host and read over XRootD.</summary>
    static async Task<Timing> LabAsync(string input, string warmup, uint run, int? slots, CancellationToken ct)
    {
        const int hosts = LabHosts;
        var cores = Environment.ProcessorCount;
        var maxFeds = SlotsPerNode(hosts, slots);
        await using var lab = await LabCluster.StartAsync(hosts,
            ["--max-feds", $"{maxFeds}", "--fit-workers", $"{Math.Max(1, cores / hosts)}", "--decoders", $"{Math.Max(1, cores / (hosts * maxFeds))}"], ct);
        foreach (var (from, name) in new[] { (warmup, "warmup"), (input, "in") })
        {
            var to = Directory.CreateDirectory(Path.Combine(lab.StorageDirectory, name)).FullName;
            foreach (var dump in Directory.GetFiles(from, "*.dmp")) File.Copy(dump, Path.Combine(to, Path.GetFileName(dump)));
        }
        WarnIfCold(await RunToMergeAsync(lab.RunAsync, null, run - 1, $"{LabCluster.StorageUrl}/warmup", $"{LabCluster.StorageUrl}/out", hosts * maxFeds, ct), hosts);
        return await RunToMergeAsync(lab.RunAsync, null, run, $"{LabCluster.StorageUrl}/in", $"{LabCluster.StorageUrl}/out", hosts * maxFeds, ct);
    }

    /// <param name="processorSeconds">CPU time so far of the cluster's processes; null: not known (the lab's).</param>
    /// <param name="slots">FED slots of the whole cluster: while a FED waits unplaced, fewer FEDs than this on the nodes
    /// means a free slot sits idle (the longest such stretch is reported, from the first FED running on).</param>
    static async Task<Timing> RunToMergeAsync(
        Func<string, CancellationToken, Task<(int Code, List<string> Out, List<string> Err)>> command, Func<double>? processorSeconds,
        uint run, string input, string output, int slots, CancellationToken ct)
    {
        Check(await command(CommandLineText.Join(["gaincal", "create", $"{run}", "-i", input, "-o", output]), ct));
        var cpuAtSubmit = processorSeconds?.Invoke() ?? 0;
        double cpu = 0;
        var clock = Stopwatch.StartNew();
        Check(await command($"gaincal submit {run}", ct));
        double? done = null, firstRunning = null;
        double polled = 0, idleSince = -1, longestIdle = 0;
        while (true)
        {
            var (code, o, e) = await command($"gaincal status {run} --json", ct);
            Check((code, o, e));
            var s = StatusText.FromJson(string.Join('\n', o))!;
            var now = clock.Elapsed.TotalSeconds;
            if (s.Feds.Any(f => f.Phase is FedPhase.Running or FedPhase.Done)) firstRunning ??= now;
            var slotIdle = firstRunning is not null && s.Count(FedPhase.Pending) > 0 && s.Count(FedPhase.Queued) + s.Count(FedPhase.Running) < slots;
            if (!slotIdle) idleSince = -1;
            else if (idleSince < 0) idleSince = polled;
            if (idleSince >= 0) longestIdle = Math.Max(longestIdle, now - idleSince);
            polled = now;
            if (s.AllEnded && done is null)
            {
                done = clock.Elapsed.TotalSeconds;
                cpu = (processorSeconds?.Invoke() ?? 0) - cpuAtSubmit;
            }
            if (s.Count(FedPhase.Failed) > 0) throw new InvalidOperationException($"FEDs failed: {GainCal.Cluster.FedList.Format(s.Feds.Where(f => f.Phase == FedPhase.Failed).Select(f => f.Fed))}");
            if (s.AllEnded && s.MergeCurrent)
                return new Timing(done!.Value, clock.Elapsed.TotalSeconds, firstRunning ?? done.Value,
                    string.Join(", ", s.Feds.GroupBy(f => f.Node ?? "?").OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")),
                    s.Feds.Select(f => f.Node).Where(n => n is not null).Distinct().Count(), longestIdle, cpu);
            await Task.Delay(50, ct);
        }
    }

    static void Check((int Code, List<string> Out, List<string> Err) r)
    {
        if (r.Code != 0) throw new InvalidOperationException(string.Join("; ", r.Err));
    }
}
