using System.Diagnostics;
using GainCal.Cluster;
using GainCal.Results;
using Npgsql;

namespace GainCal.Tests.Cluster;

/// <summary>The persistence scenario on PostgreSQL (the multi-host switch): a real server from Debian's
/// package, started by deploy/postgres/start.sh; a node crash mid-run and its restart.</summary>
[Trait("Category", "Slow")]
public class PostgresPersistenceTests
{
    [Fact]
    public async Task Run_resumes_after_a_node_crash_with_the_journal_on_postgresql()
    {
        // Outside the 0700 temp directories: the server runs as the postgres user.
        var pgDir = Path.Combine(Path.GetTempPath(), $"gaincal-pg-{Guid.NewGuid():N}");
        var port = FreePorts.Take(1)[0];
        var (code, output, errors) = await Script("start.sh", "-d", pgDir, "-p", $"{port}");
        if (code == 3) Assert.Skip($"PostgreSQL cannot be installed or started here: {errors.Trim()}");
        Assert.True(code == 0, $"deploy/postgres/start.sh failed ({code}): {output}{errors}");
        try
        {
            var connection = output.Trim().Split('\n')[^1];
            using var dir = new TempDir();
            var (sim, reference) = SimulatedRun.CopyOf(dir.Sub("in"), ClusterReliabilityTests.RunNumber,
                ClusterReliabilityTests.Feds, ClusterReliabilityTests.RocsPerFed);
            var data = dir.Sub("data");
            await using var cluster = await LocalCluster.StartAsync(1, data, dir.Path,
                "--persistence", "postgresql", "--connection-string", connection, "--max-feds", "2", "--fit-workers", "1",
                "--read-limit", ClusterTestSizes.ReadLimit);
            var run = sim.Run;
            Assert.Equal(0, (await cluster.RunAsync(1, $"gaincal create {run} -i {sim.InputDir} -o {dir.Path}/out")).Code);
            Assert.Equal(0, (await cluster.RunAsync(1, $"gaincal submit {run}")).Code);
            await cluster.WaitAsync(1, run, s =>
            {
                if (s.AllEnded) throw new InvalidOperationException("the run ended before the node could be killed; use bigger FEDs");
                return s.Count(FedPhase.Done) >= 2 && s.Count(FedPhase.Running) >= 1;
            }, TimeSpan.FromMinutes(5), "two FEDs done");

            cluster.Kill(1);
            await cluster.StartNodeAsync(1);
            await cluster.WaitMembersAsync(1, 1, TimeSpan.FromSeconds(60));
            var resumed = await cluster.WaitAsync(1, run, _ => true, TimeSpan.FromSeconds(60), "status after restart");
            var done = resumed.Feds.Where(f => f.Phase == FedPhase.Done).ToDictionary(f => f.Fed, f => File.GetLastWriteTimeUtc(f.ResultPath!));
            Assert.True(done.Count >= 2, "done FEDs were not recovered from PostgreSQL");

            var end = await cluster.WaitAsync(1, run, s => s.AllEnded && s.MergeCurrent, TimeSpan.FromMinutes(6), "run merged");
            Assert.All(end.Feds, f => Assert.Equal(FedPhase.Done, f.Phase));
            foreach (var (fed, written) in done)
                Assert.Equal(written, File.GetLastWriteTimeUtc(end.Feds.Single(f => f.Fed == fed).ResultPath!));
            Assert.True(PixelTable.Read(end.Merge!.MergedPath!).ContentEquals(reference), "merged table differs from the FED-by-FED calibration");

            Assert.False(File.Exists(Path.Combine(data, "journal.db")), "a SQLite journal was created although PostgreSQL was configured");
            await using var db = new NpgsqlConnection(connection);
            await db.OpenAsync();
            await using var cmd = new NpgsqlCommand("select count(*) from journal where persistence_id like 'fed-%'", db);
            Assert.True((long)(await cmd.ExecuteScalarAsync())! > 0, "no FedCalibrator events in the PostgreSQL journal");
        }
        finally
        {
            await Script("stop.sh", "-d", pgDir);
        }
    }

    static async Task<(int Code, string Output, string Errors)> Script(string name, params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(LocalCluster.RepoRoot, "deploy", "postgres", name));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(10));
        return (p.ExitCode, await stdout, await stderr);
    }
}
