using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GainCal.Operations;

namespace GainCal.Cli.Commands;

/// <summary>
/// N real node processes on this host, started and stopped with deploy/local (the scripts the tests use):
/// what `gaincal bench cluster` measures when it runs from a repository checkout.
/// </summary>
internal sealed class LocalProcessCluster : IAsyncDisposable
{
    private readonly string _deploy;
    private readonly string _data;

    private LocalProcessCluster(string deploy, string data, int commandPort)
    {
        _deploy = deploy;
        _data = data;
        Endpoint = $"127.0.0.1:{commandPort}";
    }

    public string Endpoint { get; }

    /// <summary>deploy/local of the checkout this gaincal was built in, or null when it runs elsewhere.</summary>
    public static string? FindDeployScripts()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var local = Path.Combine(dir.FullName, "deploy", "local");
            if (File.Exists(Path.Combine(local, "start.sh"))) return local;
        }
        return null;
    }

    public static async Task<LocalProcessCluster> StartAsync(string deploy, int nodes, string data, string allowedRoot, int maxFeds,
        int fitWorkers, int decoders, CancellationToken ct)
    {
        var remoting = FreePortBlock(nodes);
        var command = FreePortBlock(nodes);
        var cluster = new LocalProcessCluster(deploy, data, command);
        await Script("start.sh", ["-n", $"{nodes}", "-d", data, "-r", allowedRoot, "-p", $"{remoting}", "-c", $"{command}", "--",
            "--max-feds", $"{maxFeds}", "--fit-workers", $"{fitWorkers}", "--decoders", $"{decoders}"], deploy, ct);
        var clock = Stopwatch.StartNew();
        var up = false;
        try
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(90))
            {
                try
                {
                    // Ready once every member is up and the run coordinator (a singleton, started after the cluster forms) answers.
                    var (code, output, _) = up ? await cluster.RunAsync("gaincal runs", ct) : await cluster.RunAsync("cluster show", ct);
                    // ... and has heard every node's FED slots (`runs` ends with them), so that the first FEDs go to every node.
                    if (up && code == 0 && GainCalRuns.NodesWithSlots(output.LastOrDefault()) == nodes)
                        return cluster;
                    up |= code == 0 && output.Count(l => l.EndsWith("| up", StringComparison.Ordinal)) == nodes;
                }
                catch (CommandHostUnreachableException)
                {
                    // The node's command host is not listening yet (or, on a loaded machine, not accepting yet).
                }
                await Task.Delay(200, ct);
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        await cluster.DisposeAsync();
        throw new TimeoutException($"the {nodes} node processes did not all come up, with the run coordinator answering and knowing every node's FED slots, within 90 s (logs in {data})");
    }

    public async Task<(int Code, List<string> Out, List<string> Err)> RunAsync(string commandLine, CancellationToken ct)
    {
        var o = new List<string>();
        var e = new List<string>();
        var code = await CommandHostClient.RunAsync(Endpoint, commandLine, o.Add, e.Add, ct);
        return (code, o, e);
    }

    /// <summary>CPU time so far of the node processes, all their threads (from their pid files).</summary>
    public double ProcessorSeconds() =>
        Directory.GetFiles(_data, "node-*.pid").Sum(pidFile =>
        {
            try
            {
                using var node = Process.GetProcessById(int.Parse(File.ReadAllText(pidFile).Trim()));
                return node.TotalProcessorTime.TotalSeconds;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or IOException)
            {
                return 0;
            }
        });

    public async ValueTask DisposeAsync() => await Script("stop.sh", ["-d", _data], _deploy, CancellationToken.None);

    private static async Task Script(string name, string[] args, string deploy, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(deploy, name));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        if (p.ExitCode != 0) throw new InvalidOperationException($"{name} failed: {await stdout}{await stderr}");
    }

    /// <summary>The first of <paramref name="count"/> consecutive free loopback ports (start.sh numbers nodes consecutively).</summary>
    private static int FreePortBlock(int count)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var first = Random.Shared.Next(20000, 60000);
            var listeners = new List<TcpListener>();
            try
            {
                for (var i = 0; i < count; i++)
                {
                    var l = new TcpListener(IPAddress.Loopback, first + i);
                    l.Start();
                    listeners.Add(l);
                }
                return first;
            }
            catch (SocketException)
            {
            }
            finally
            {
                listeners.ForEach(l => l.Stop());
            }
        }
        throw new InvalidOperationException($"no block of {count} free loopback ports found");
    }
}
