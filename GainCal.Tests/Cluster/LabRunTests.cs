using System.Diagnostics;
using GainCal.Cluster;
using GainCal.Operations;
using GainCal.Results;

namespace GainCal.Tests.Cluster;

/// <summary>
/// Calibration runs across the lab's hosts (deploy/lab, needs root as CI has): 12 FEDs read from the storage
/// host's xrootd, products written back there, each run's merged table compared row for row with the FED-by-FED
/// calibration of the same dumps (what `gaincal calibrate` computes), under (a) no disturbance, (e) xrootd stopped
/// for 10 s mid-run, (b) kill -9 of a worker mid-run, (c) kill -9 of the oldest node mid-run and (d) a node cut off
/// the bridge for longer than the split-brain resolver's stable-after.
/// </summary>
[Trait("Category", "Slow")]
[Collection(LabCollection.Name)]
public class LabRunTests
{
    static readonly int[] Feds = [1200, 1201, 1202, 1203, 1204, 1205, 1206, 1207, 1208, 1209, 1296, 1297];
    const string Storage = "root://10.77.0.2:1094/";
    readonly string _cli = Path.Combine(AppContext.BaseDirectory, "gaincal.dll");
    readonly List<string> _log = [];
    readonly LabCommandHosts _hosts = new();

    [Fact]
    public async Task Runs_read_from_xrootd_across_the_lab_merge_like_calibrate_through_kills_a_partition_and_a_storage_outage()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root") Assert.Skip("deploy/lab needs root (network namespaces)");
        var data = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"gaincal-labrun-{Guid.NewGuid():N}"[..27])).FullName;
        var clock = Stopwatch.StartNew();
        try
        {
            // A FED lasts a few seconds (read limit), so that kills and cuts land mid-FED.
            var up = await LabTests.Lab("up.sh", "-d", data, "--", "--read-limit", "2", "--stable-after", "4", "--max-feds", "2");
            Assert.True(up.Code == 0, $"deploy/lab/up.sh failed ({up.Code}): {up.Output}");

            // (a) undisturbed.
            await Calibrate(data, 400101, "node1", async (_, _) => await Task.CompletedTask);

            // (e) the storage stopped for 10 s while FEDs read and write: they wait (or fail and are retried).
            await Calibrate(data, 400105, "node1", async (run, status) =>
            {
                await Until(run, "node1", s => s.Feds.Any(f => f is { Phase: FedPhase.Running, BytesRead: > 0 }));
                Assert.Equal(0, (await LabTests.Lab("storage.sh", "-d", data, "stop")).Code);
                Note("(e) xrootd stopped");
                await Task.Delay(TimeSpan.FromSeconds(10));
                Assert.Equal(0, (await LabTests.Lab("storage.sh", "-d", data, "start")).Code);
                Note("(e) xrootd started again");
            });

            // (b) kill -9 of a worker (the youngest node) while it calibrates.
            await Calibrate(data, 400102, "node1", async (run, _) =>
            {
                await Until(run, "node1", s => s.Feds.Any(f => f is { Phase: FedPhase.Running, BytesRead: > 0 } && f.Node!.Contains("10.77.0.13")));
                Kill(data, 3);
                Note("(b) node3 killed");
            });
            await Restart(data, 3);

            // (c) kill -9 of the oldest node (it hosts the coordinator singleton) while FEDs run.
            await Calibrate(data, 400103, "node2", async (run, _) =>
            {
                await Until(run, "node2", s => s.Feds.Count(f => f is { Phase: FedPhase.Running, BytesRead: > 0 }) >= 2);
                Kill(data, 1);
                Note("(c) node1 killed");
            });
            await Restart(data, 1);

            // (d) node3 cut off the bridge while it calibrates, longer than stable-after: it downs itself and exits, the
            // majority finishes; after the link is back nothing changes on the storage.
            var node3 = Pid(data, 3);
            await Calibrate(data, 400104, "node1", async (run, _) =>
            {
                await Until(run, "node1", s => s.Feds.Any(f => f is { Phase: FedPhase.Running, BytesRead: > 0 } && f.Node!.Contains("10.77.0.13")));
                Assert.Equal(0, (await LabTests.Lab("link.sh", "node3", "down")).Code);
                Note("(d) node3 cut off");
            });
            var exited = Stopwatch.StartNew();
            while (Alive(node3) && exited.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(250);
            Assert.False(Alive(node3), "node3, cut off from the bridge, did not down itself and exit");
            Note("(d) node3 has exited");
            var before = Products(data, 400104);
            Assert.Equal(0, (await LabTests.Lab("link.sh", "node3", "up")).Code);
            await Task.Delay(TimeSpan.FromSeconds(5));
            Assert.Equal(before, Products(data, 400104));
        }
        finally
        {
            TestContext.Current.TestOutputHelper?.WriteLine(string.Join('\n', _log));
            TestContext.Current.TestOutputHelper?.WriteLine($"lab run test: {clock.Elapsed.TotalSeconds:F0} s");
            _hosts.Dispose();
            var (code, output) = await LabTests.Lab("down.sh", "-d", data);
            Assert.True(code == 0, $"deploy/lab/down.sh failed: {output}");
        }
    }

    /// <summary>Simulates the run's dumps onto the storage host, creates and submits the run through node1, disturbs it,
    /// waits for its merge (asking <paramref name="observer"/>) and compares the merged table with the reference.</summary>
    async Task Calibrate(string data, uint run, string observer, Func<uint, RunStatusView?, Task> disturb)
    {
        var (_, reference) = SimulatedRun.CopyOf(Path.Combine(data, "storage", "data", $"in{run}"), run, Feds, 2);
        var start = Stopwatch.StartNew();
        var create = await Gaincal("node1", "create", $"{run}", "-i", $"{Storage}/in{run}", "-o", $"{Storage}/out");
        Assert.True(create.Code == 0, create.Output);
        Assert.Equal(0, (await Gaincal("node1", "submit", $"{run}")).Code);
        await disturb(run, null);
        var status = await Until(run, observer, s => s is { AllEnded: true, MergeCurrent: true }, TimeSpan.FromMinutes(4));
        Note($"run {run}: merged after {start.Elapsed.TotalSeconds:F1} s; attempts {string.Join(",", status.Feds.Select(f => f.Attempts))}");
        Assert.All(status.Feds, f => Assert.Equal(FedPhase.Done, f.Phase));
        var merge = status.Merge!;
        Assert.True(merge.Ok, merge.Error);
        Assert.Equal(Feds, merge.MergedFeds);
        Assert.Empty(merge.FailedFeds);
        // Read from the storage host's directory: the test's own namespace must not reach 10.77.0.x.
        var merged = PixelTable.Read(Path.Combine(data, "storage", "data", "out", $"GainRun_{run}", PixelTable.MergedFileName));
        Assert.Equal(reference.RowCount, merged.RowCount);
        Assert.True(merged.ContentEquals(reference), $"run {run}: the lab's merged table differs from the FED-by-FED reference");
        Assert.Equal(Feds.Length, merged.Feds().Count);
    }

    async Task<RunStatusView> Until(uint run, string node, Func<RunStatusView, bool> condition, TimeSpan? limit = null)
    {
        var clock = Stopwatch.StartNew();
        RunStatusView? last = null;
        while (clock.Elapsed < (limit ?? TimeSpan.FromMinutes(2)))
        {
            if (await Status(run, node) is { } v && condition(last = v)) return v;
            await Task.Delay(300);
        }
        throw new TimeoutException($"run {run}: condition not reached; last status:\n" + (last is null ? "none" : string.Join('\n', StatusText.Render(last))));
    }

    /// <summary>The run's status as the node's command host answers it, or null while it cannot (down, failing over).</summary>
    async Task<RunStatusView?> Status(uint run, string node)
    {
        var output = new List<string>();
        try
        {
            var code = await CommandHostClient.RunAsync(_hosts.Endpoint(node), $"gaincal status {run} --json", output.Add, _ => { });
            return code == 0 ? StatusText.FromJson(string.Join('\n', output)) : null;
        }
        catch (CommandHostUnreachableException)
        {
            return null;
        }
    }

    async Task Restart(string data, int node)
    {
        Assert.Equal(0, (await LabTests.Lab("node.sh", "-d", data, $"{node}")).Code);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            var show = await LabTests.Lab("exec.sh", $"node{node}", "dotnet", _cli, "pbm", "127.0.0.1:9110", "cluster", "show");
            if (show.Output.Split('\n').Count(l => l.TrimEnd().EndsWith("| up", StringComparison.Ordinal)) == 3)
            {
                Note($"node{node} restarted and up after {clock.Elapsed.TotalSeconds:F1} s");
                return;
            }
            await Task.Delay(500);
        }
        Assert.Fail($"node{node} did not rejoin as the third up member");
    }

    /// <summary>Name, size and modification time of every file under the run's output on the storage host.</summary>
    static string[] Products(string data, uint run)
    {
        var dir = Path.Combine(data, "storage", "data", "out", $"GainRun_{run}");
        return Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => $"{Path.GetRelativePath(dir, f)} {new FileInfo(f).Length} {File.GetLastWriteTimeUtc(f):O}").ToArray();
    }

    static int Pid(string data, int node) => int.Parse(File.ReadAllText(Path.Combine(data, $"node{node}", "node.pid")).Trim());

    static void Kill(string data, int node) => Process.GetProcessById(Pid(data, node)).Kill();

    void Note(string line) => _log.Add(line);

    static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    Task<(int Code, string Output)> Gaincal(string node, params string[] args) => LabTests.Lab("exec.sh", [node, "dotnet", _cli, .. args]);
}
