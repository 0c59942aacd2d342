using System.Diagnostics;

namespace GainCal.Tests.Cluster;

/// <summary>The lab's namespaces, bridge and addresses (10.77.0.x) exist once per host: its tests run one after
/// another, never beside each other (two at once tore down each other's lab).</summary>
[CollectionDefinition(Name)]
public sealed class LabCollection
{
    public const string Name = "deploy/lab";
}

/// <summary>
/// deploy/lab (needs root, as CI has): three node hosts, a storage host and a database host as network
/// namespaces on a private bridge. The nodes form one cluster over their lab addresses with the journal on the
/// db host; the storage host's xrootd answers from a node host; a node cut off the bridge downs itself and exits
/// while the other two carry on; the teardown stops a node whose pid file was lost, leaves no namespace behind
/// and may run twice.
/// </summary>
[Trait("Category", "Slow")]
[Collection(LabCollection.Name)]
public class LabTests
{
    [Fact]
    public async Task The_lab_forms_one_cluster_across_namespaces_survives_a_partition_and_tears_down()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root") Assert.Skip("deploy/lab needs root (network namespaces)");
        // Outside the 0700 temp directories: PostgreSQL and xrootd run as their own users.
        var data = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"gaincal-lab-{Guid.NewGuid():N}"[..24])).FullName;
        var cli = Path.Combine(AppContext.BaseDirectory, "gaincal.dll");
        try
        {
            var (code, output) = await Lab("up.sh", "-d", data);
            Assert.True(code == 0, $"deploy/lab/up.sh failed ({code}): {output}");
            Assert.Contains("lab up: 3 nodes in one cluster", output);

            var members = await Lab("exec.sh", "node2", "dotnet", cli, "pbm", "127.0.0.1:9110", "cluster", "show");
            Assert.Equal(["10.77.0.11", "10.77.0.12", "10.77.0.13"], UpMembers(members.Output));
            File.WriteAllText(Path.Combine(data, "storage", "data", "probe.txt"), "lab");
            var listing = await Lab("exec.sh", "node3", "xrdfs", "root://10.77.0.2:1094", "ls", "-l", "/");
            Assert.True(listing.Code == 0 && listing.Output.Contains("/probe.txt"), $"node3 cannot list the storage host: {listing.Output}");
            Assert.False(File.Exists(Path.Combine(data, "node1", "journal.db")), "a SQLite journal was created although the lab's nodes use PostgreSQL");

            var node3 = int.Parse(File.ReadAllText(Path.Combine(data, "node3", "node.pid")).Trim());
            var clock = Stopwatch.StartNew();
            Assert.Equal(0, (await Lab("link.sh", "node3", "down")).Code);
            TimeSpan? exited = null, removed = null;
            while (clock.Elapsed < TimeSpan.FromSeconds(90) && (exited is null || removed is null))
            {
                if (exited is null && !Alive(node3)) exited = clock.Elapsed;
                if (removed is null && UpMembers((await Lab("exec.sh", "node1", "dotnet", cli, "pbm", "127.0.0.1:9110", "cluster", "show")).Output) is ["10.77.0.11", "10.77.0.12"])
                    removed = clock.Elapsed;
                await Task.Delay(250);
            }
            TestContext.Current.TestOutputHelper?.WriteLine($"partition of node3: it exited after {exited?.TotalSeconds:F1} s, the majority showed two members after {removed?.TotalSeconds:F1} s");
            Assert.True(exited is not null, "node3, cut off from the bridge, did not down itself and exit");
            Assert.True(removed is not null, "node1 and node2 did not go on as a cluster of two");
            Assert.Equal(0, (await Lab("link.sh", "node3", "up")).Code);

            // A crash that loses a pid file: down.sh still finds node2 through its namespace.
            var node2 = int.Parse(File.ReadAllText(Path.Combine(data, "node2", "node.pid")).Trim());
            File.Delete(Path.Combine(data, "node2", "node.pid"));
            Assert.Equal(0, (await Lab("down.sh", "-d", data)).Code);
            Assert.False(Alive(node2), "down.sh left a node running whose pid file was lost");
        }
        finally
        {
            var (code, output) = await Lab("down.sh", "-d", data);
            Assert.True(code == 0, $"deploy/lab/down.sh failed: {output}");
            Assert.Equal(0, (await Lab("down.sh", "-d", data)).Code);
            var namespaces = await Run("ip", "netns", "list");
            Assert.DoesNotContain("gclab-", namespaces.Output);
            Assert.False(Directory.Exists(data));
        }
    }

    private static string[] UpMembers(string clusterShow) =>
        clusterShow.Split('\n').Where(l => l.TrimEnd().EndsWith("| up", StringComparison.Ordinal))
            .Select(l => l.Split('@')[1].Split(':')[0]).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Running, not a zombie waiting for its parent (the processes up.sh starts are not this test's children).</summary>
    private static bool Alive(int pid)
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

    /// <summary>Runs one of deploy/lab's scripts (the lab's tests share it).</summary>
    internal static Task<(int Code, string Output)> Lab(string script, params string[] args) =>
        Run("bash", [Path.Combine(LocalCluster.RepoRoot, "deploy", "lab", script), .. args]);

    internal static async Task<(int Code, string Output)> Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NODE_DLL"] = Path.Combine(AppContext.BaseDirectory, "GainCal.Node.dll");
        psi.Environment["CLI_DLL"] = Path.Combine(AppContext.BaseDirectory, "gaincal.dll");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        return (p.ExitCode, await stdout + await stderr);
    }
}
