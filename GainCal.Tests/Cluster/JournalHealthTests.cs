using System.Diagnostics;
using System.Net;
using GainCal.Cluster;
using GainCal.Node;
using GainCal.Operations;
using Microsoft.Data.Sqlite;

namespace GainCal.Tests.Cluster;

/// <summary>Real SQLite journals, damaged as a failing disk would or lost, under real nodes.</summary>
public class JournalHealthTests
{
    const uint Run = 271830;
    static readonly int[] Feds = [1200, 1296];

    /// <summary>A journal with a created run in it, closed (checkpointed) so its pages are in journal.db itself.</summary>
    static async Task<string> JournalWithARun(TempDir dir, string data)
    {
        var (sim, _) = SimulatedRun.CopyOf(dir.Sub("in"), Run, Feds, 4);
        await using (var node = await InProcessNode.StartAsync(data, dir.Path))
        {
            Assert.Equal(0, (await node.RunAsync($"gaincal create {Run} -i {sim.InputDir} -o {dir.Path}/out")).Code);
            Assert.Equal(0, (await node.RunAsync($"gaincal submit {Run}")).Code);
            await node.WaitAsync(Run, s => s.AllEnded && s.MergeCurrent);
        }
        SqliteConnection.ClearAllPools();
        return Path.Combine(data, "journal.db");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Journal_overwritten_in_the_middle_makes_the_node_not_ready_and_run_commands_say_why_at_once()
    {
        using var dir = new TempDir();
        var data = dir.Sub("data");
        var journal = await JournalWithARun(dir, data);
        Assert.Null(JournalHealth.Probe(new NodeSettings { DataDir = data }));
        // 40 KB of noise in the middle; a small journal keeps at least its first and last page (the header stays valid,
        // so only reading the pages finds the damage).
        var length = new FileInfo(journal).Length;
        Assert.True(length >= 12 * 4096, $"journal only {length} bytes");
        var offset = Math.Max(4096, length / 2 - 20480);
        var noise = new byte[Math.Min(40960, length - offset - 4096)];
        new Random(14).NextBytes(noise);
        using (var f = File.OpenWrite(journal))
        {
            f.Position = offset;
            f.Write(noise);
        }
        var problem = JournalHealth.Probe(new NodeSettings { DataDir = data });
        Assert.NotNull(problem);
        Assert.StartsWith($"{journal}: ", problem);

        var ports = FreePorts.Take(3);
        var app = NodeHttp.Build(new NodeSettings
        {
            Port = ports[0], CommandPort = ports[1], HttpPort = ports[2], DataDir = data, AllowedRoots = [dir.Path], LogLevel = "ERROR",
        });
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[2]}/") };
            var ready = await http.GetAsync("health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            var body = (await ready.Content.ReadAsStringAsync()).Split('\n');
            Assert.Equal("Unhealthy", body[0]);
            Assert.Contains($"journal: cannot be read: {problem}", body);
            Assert.Equal("Healthy", await http.GetStringAsync("health/live"));

            // Run commands answer with the reason, not "did not answer in time".
            var endpoint = $"127.0.0.1:{ports[1]}";
            foreach (var command in new[] { $"gaincal status {Run}", "gaincal runs", $"gaincal submit {Run}" })
            {
                var err = new List<string>();
                var code = await CommandHostClient.RunAsync(endpoint, command, _ => { }, err.Add);
                Assert.Equal((1, $"error: {CommandPalettes.JournalRefusal(problem)}"), (code, err.Single()));
            }
            var pbm = await Operations.PbmClientTests.Gaincal(null, "pbm", endpoint, "cluster", "status");
            Assert.Equal(1, pbm.Code);
            Assert.Contains($"error: this node's journal cannot be read ({problem})", pbm.Err);

            // The dashboard lists it among its problems.
            var sw = Stopwatch.StartNew();
            string dashboard;
            while (!(dashboard = await http.GetStringAsync("api/dashboard")).Contains("journal cannot be read", StringComparison.Ordinal) && sw.Elapsed < TimeSpan.FromSeconds(30))
                await Task.Delay(200);
            var problems = System.Text.Json.JsonDocument.Parse(dashboard).RootElement.GetProperty("problems").EnumerateArray().Select(p => p.GetString());
            Assert.Contains($"this node's journal cannot be read: {problem}", problems);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Create_into_an_output_tree_with_results_the_journal_does_not_know_is_refused()
    {
        using var dir = new TempDir();
        await JournalWithARun(dir, dir.Sub("data"));
        var runDir = Path.Combine(dir.Path, "out", $"GainRun_{Run}");
        // The journal is lost: a node on a fresh data directory.
        await using var node = await InProcessNode.StartAsync(dir.Sub("fresh"), dir.Path);
        var create = await node.RunAsync($"gaincal create {Run} -i {dir.Path}/in -o {dir.Path}/out");
        Assert.Equal(1, create.Code);
        Assert.Equal($"error: {runDir} already holds results (config.json, 2 FED tables, GainCalibration.parquet) but the journal " +
                     $"knows no run {Run}: the journal was lost or replaced; restore it (and the node's data directory), or move " +
                     "the directory away to compute the run anew", create.Err.Single());
        Assert.Equal(1, (await node.RunAsync($"gaincal status {Run}")).Code);
    }

    [Fact]
    public async Task Journal_must_exist_refuses_to_start_without_one()
    {
        using var dir = new TempDir();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir.Path };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "GainCal.Node.dll"));
        var ports = FreePorts.Take(2);
        foreach (var a in new[] { "--port", $"{ports[0]}", "--command-port", $"{ports[1]}", "--data-dir", dir.Path, "--journal-must-exist" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(3, p.ExitCode);
        Assert.Equal("", await stdout);
        Assert.Equal($"gaincal-node: cannot start: journal {dir.Path}/journal.db does not exist (--journal-must-exist): restore it, " +
                     "or start without the option to begin an empty one", (await stderr).TrimEnd('\n'));
        Assert.False(File.Exists(Path.Combine(dir.Path, "journal.db")));
    }
}
