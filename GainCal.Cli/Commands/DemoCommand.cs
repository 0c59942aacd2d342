using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using GainCal.Calibration;
using GainCal.Operations;
using GainCal.Simulation;

namespace GainCal.Cli.Commands;

/// <summary>`gaincal demo`: a simulated calibration run end to end on an embedded one-node cluster (SQLite
/// journal), driven through the node's command host exactly as an operator drives a real cluster.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        const string defaultFeds = "1200,1201,1202,1203,1204,1205,1296,1297";
        var dir = new Option<string?>("--dir")
        { Description = "working directory, new or empty: a run started afresh needs its own journal and outputs (default: a new temporary directory)" };
        var feds = FedList.Option("--feds", defaultFeds);
        var rocs = new Option<int>("--rocs-per-fed")
        { Description = "ROCs simulated per FED (>= 1)", DefaultValueFactory = _ => 16, CustomParser = r => CliValues.Int(r, "--rocs-per-fed", min: 1) };
        var run = new Option<uint>("--run") { Description = "run number", DefaultValueFactory = _ => 400001 };
        var c = new Command("demo", "Simulate a small run (BPix and FPix FEDs) and calibrate it on an embedded one-node cluster: " +
                                    "create, submit, live status, merge, and the summary PDF (its path is the last line)") { dir, feds, rocs, run };
        c.SetAction((r, ct) => RunAsync(r.GetValue(dir), FedList.Selected(r, feds, defaultFeds), r.GetValue(rocs), r.GetValue(run), ct));
        return c;
    }

    static async Task<int> RunAsync(string? dir, IReadOnlyList<int> feds, int rocs, uint run, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var work = dir is null ? Directory.CreateTempSubdirectory("gaincal-demo-").FullName : CliPaths.NewWorkDirectory(dir, "--dir");
        var input = Path.Combine(work, $"Run_{run}");

        Step($"1/6 simulating run {run}: {feds.Count} FEDs, {rocs} ROCs each -> {input}");
        RunSimulator.Write(input, feds, FedCalibrationSetup.Default, new SimulationOptions { Run = run, RocsPerFed = rocs }, writeTruthCsv: false);
        var bytes = feds.Sum(f => new FileInfo(RunSimulator.DumpPath(input, f, run)).Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {bytes / 1e6:F0} MB of dumps"));

        Step("2/6 starting an embedded one-node cluster (SQLite journal in " + Path.Combine(work, "data") + ")");
        await using var cluster = await EmbeddedCluster.StartAsync(1, Path.Combine(work, "data"), work,
            maxFeds: Environment.ProcessorCount, fitWorkers: Environment.ProcessorCount, decoders: 0, ct);
        Console.WriteLine($"    node up; command host {cluster.Endpoint} (try: gaincal status {run} --node {cluster.Endpoint})");

        Step($"3/6 gaincal create {run} -i {input} -o {work}");
        if (await Echo(cluster, CommandLineText.Join(["gaincal", "create", $"{run}", "-i", input, "-o", work]), ct) != 0) return 1;

        Step($"4/6 gaincal submit {run}; gaincal status {run} --watch");
        if (await Echo(cluster, $"gaincal submit {run}", ct) != 0) return 1;
        var watched = await RunCommands.Watch(cluster.Endpoint, [$"{run}"], Console.Out, ct);

        Step($"5/6 gaincal merge {run}");
        // The coordinator merges a run once its FEDs have ended: the explicit merge usually finds nothing to redo (exit 3).
        var merged = await Echo(cluster, $"gaincal merge {run}", ct);
        if (watched != 0 || merged is not (ExitCodes.Ok or ExitCodes.NothingDone)) return watched != 0 ? watched : merged;

        var home = RunOutput.Directory(run, null, cluster.Endpoint, "the embedded node did not answer");
        Step($"6/6 gaincal summary {run} --run-dir {home}");
        var (tables, _, source, _) = ReportCommands.ResolveTables($"{run}", new DirectoryInfo(home), cluster.Endpoint);
        var summary = ReportCommands.WriteSummary(tables, run, source, Path.Combine(home, Reports.TwikiPackage.SummaryDirectory), new ReportCli("summary"),
            completeness: ReportCommands.CompletenessOf($"{run}", run, home), mergeDrift: ReportCommands.MergeDriftOf(run, home));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"demo finished in {clock.Elapsed.TotalSeconds:F0} s; everything is in {work}"));
        Console.WriteLine($"summary PDF: {summary.Pdf}");
        return 0;
    }

    static void Step(string text) => Console.WriteLine($"==> {text}");

    static async Task<int> Echo(EmbeddedCluster cluster, string commandLine, CancellationToken ct)
    {
        var (code, o, e) = await cluster.RunAsync(commandLine, ct);
        foreach (var l in o) Console.WriteLine("    " + l);
        foreach (var l in e) Console.Error.WriteLine("    " + l);
        return code;
    }
}
