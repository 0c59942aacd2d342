using System.Diagnostics;

namespace GainCal.Cli.Commands;

/// <summary>
/// The lab of deploy/lab (needs root): three node hosts, a storage host (xrootd) and a database host as network
/// namespaces on a private bridge. Commands go to node1's command host from inside node1's namespace (this process
/// never reaches the lab's addresses itself); dumps are put on the storage host's disk and read by the nodes over XRootD.
/// </summary>
internal sealed class LabCluster : IAsyncDisposable
{
    /// <summary>The storage host's root as the nodes see it.</summary>
    public const string StorageUrl = "root://10.77.0.2:1094/";

    private readonly string _scripts;

    private LabCluster(string scripts, string data)
    {
        _scripts = scripts;
        Data = data;
    }

    /// <summary>The lab's directory: DATA/storage/data is what the storage host serves.</summary>
    public string Data { get; }

    public string StorageDirectory => Path.Combine(Data, "storage", "data");

    /// <summary>deploy/lab of the checkout this gaincal was built in, or null.</summary>
    public static string? FindScripts() =>
        LocalProcessCluster.FindDeployScripts() is { } local ? Path.Combine(Path.GetDirectoryName(local)!, "lab") : null;

    /// <summary>Builds the lab (up.sh tears down an earlier one first) with these node arguments.</summary>
    public static async Task<LabCluster> StartAsync(int nodes, IEnumerable<string> nodeArgs, CancellationToken ct)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
            throw new InvalidOperationException("--lab needs root: the lab's hosts are network namespaces (deploy/lab)");
        var scripts = FindScripts() ?? throw new InvalidOperationException("--lab needs deploy/lab beside this gaincal (run it from a checkout)");
        // Not under a 0700 temporary directory: xrootd and PostgreSQL run as their own users.
        var data = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"gaincal-benchlab-{Guid.NewGuid():N}"[..29])).FullName;
        var lab = new LabCluster(scripts, data);
        var (code, output) = await lab.Script("up.sh", ["-n", $"{nodes}", "-d", data, "--", .. nodeArgs], ct);
        if (code != 0)
        {
            await lab.DisposeAsync();
            throw new InvalidOperationException($"deploy/lab/up.sh failed ({code}): {output.Trim()}");
        }
        return lab;
    }

    /// <summary>Runs a `gaincal ...` command line against node1's command host, from inside node1's namespace.</summary>
    public async Task<(int Code, List<string> Out, List<string> Err)> RunAsync(string commandLine, CancellationToken ct)
    {
        var args = GainCal.Operations.CommandLineText.Split(commandLine);
        var start = GaincalProcess.StartInfo(args[0] == "gaincal" ? args[1..] : args);
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(_scripts, "exec.sh"), "node1", start.FileName }.Concat(start.ArgumentList)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        static List<string> Lines(string s) => s.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        return (p.ExitCode, Lines(await stdout), Lines(await stderr));
    }

    public async ValueTask DisposeAsync() => await Script("down.sh", ["-d", Data], CancellationToken.None);

    private async Task<(int Code, string Output)> Script(string name, string[] args, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(_scripts, name));
        foreach (var a in args) psi.ArgumentList.Add(a);
        // The lab's nodes run the binaries of this gaincal's build.
        psi.Environment["CLI_DLL"] = typeof(LabCluster).Assembly.Location;
        if (File.Exists(Path.Combine(AppContext.BaseDirectory, "GainCal.Node.dll")))
            psi.Environment["NODE_DLL"] = Path.Combine(AppContext.BaseDirectory, "GainCal.Node.dll");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        return (p.ExitCode, await stdout + await stderr);
    }
}
