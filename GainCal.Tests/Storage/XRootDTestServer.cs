using System.Diagnostics;
using GainCal.Tests.Cluster;

namespace GainCal.Tests.Storage;

/// <summary>
/// A real XRootD server (Debian's xrootd-server) on 127.0.0.1, started by deploy/xrootd/start.sh and serving a
/// fresh directory. Outside the 0700 temp directories: the server runs as the xrootd user when tests run as root.
/// </summary>
public sealed class XRootDTestServer : IAsyncDisposable
{
    private XRootDTestServer(string root, string work, int port)
    {
        Root = root;
        Work = work;
        Port = port;
    }

    /// <summary>The served directory: root://127.0.0.1:PORT//x is Root/x.</summary>
    public string Root { get; }

    public string Work { get; }

    public int Port { get; }

    public string Url(string path) => $"root://127.0.0.1:{Port}//{path.TrimStart('/')}";

    /// <summary>Starts a server, or skips the test when xrootd is not installed (deploy/deps/xrootd.sh installs it).</summary>
    public static async Task<XRootDTestServer> StartAsync()
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        var root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"gaincal-xrd-{id}")).FullName;
        var work = Path.Combine(Path.GetTempPath(), $"gaincal-xrd-{id}.work");
        var server = new XRootDTestServer(root, work, FreePorts.Take(1)[0]);
        await server.RestartAsync();
        return server;
    }

    public async Task RestartAsync()
    {
        var (code, output) = await Script("start.sh", "-d", Root, "-w", Work, "-p", $"{Port}");
        if (code == 3 && output.Contains("no xrootd binary")) Assert.Skip(output.Trim());
        Assert.True(code == 0, $"deploy/xrootd/start.sh failed ({code}): {output}");
    }

    /// <summary>SIGKILL: connections break without a goodbye, as when a storage host dies.</summary>
    public Task KillAsync() => Script("stop.sh", "-w", Work, "--kill");

    /// <summary>Writes a file into the served directory, readable by the server's user.</summary>
    public string Put(string name, byte[] content)
    {
        var path = Path.Combine(Root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await Script("stop.sh", "-w", Work);
        foreach (var d in new[] { Root, Work })
        {
            try { Directory.Delete(d, true); }
            catch (IOException) { }
        }
    }

    private static async Task<(int Code, string Output)> Script(string name, params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(LocalCluster.RepoRoot, "deploy", "xrootd", name));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (p.ExitCode, await stdout + await stderr);
    }
}
