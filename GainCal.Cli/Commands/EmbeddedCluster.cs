using System.Net;
using System.Net.Sockets;
using GainCal.Cluster;
using GainCal.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GainCal.Cli.Commands;

/// <summary>N cluster nodes inside this process (each a full node: its own ActorSystem, remoting on loopback,
/// command host), sharing one SQLite journal in the data directory. Used by `gaincal demo` and `gaincal bench cluster`.</summary>
public sealed class EmbeddedCluster : IAsyncDisposable
{
    readonly List<IHost> _hosts = [];
    public IReadOnlyList<NodeSettings> Nodes { get; }
    public string Endpoint => $"127.0.0.1:{Nodes[0].CommandPort}";

    EmbeddedCluster(IReadOnlyList<NodeSettings> nodes) => Nodes = nodes;

    /// <param name="decoders">Decoders per FED; 0: the node's default.</param>
    public static async Task<EmbeddedCluster> StartAsync(int nodes, string dataDir, string allowedRoot, int maxFeds, int fitWorkers, int decoders,
        CancellationToken ct, string logLevel = "ERROR")
    {
        var ports = FreePorts(2 * nodes);
        var seeds = Enumerable.Range(0, Math.Min(nodes, 3)).Select(i => $"127.0.0.1:{ports[i]}").ToArray();
        var settings = Enumerable.Range(0, nodes).Select(i => new NodeSettings
        {
            Port = ports[i], CommandPort = ports[nodes + i], Seeds = seeds, DataDir = dataDir, AllowedRoots = [allowedRoot],
            MaxFeds = maxFeds, FitWorkers = fitWorkers, Decoders = decoders, LogLevel = logLevel,
        }).ToList();
        var cluster = new EmbeddedCluster(settings);
        try
        {
            foreach (var s in settings)
            {
                var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
                builder.Services.AddGainCalNode(s);
                var host = builder.Build();
                await host.StartAsync(ct);
                cluster._hosts.Add(host);
            }
            await cluster.WaitUpAsync(ct);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    async Task WaitUpAsync(CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var lines = new List<string>();
            await CommandHostClient.RunAsync(Endpoint, "cluster show", lines.Add, _ => { }, ct);
            if (lines.Count(l => l.EndsWith("| up")) == Nodes.Count) return;
            await Task.Delay(200, ct);
        }
        throw new TimeoutException($"the embedded cluster did not reach {Nodes.Count} up members in 60 s");
    }

    public async Task<(int Code, List<string> Out, List<string> Err)> RunAsync(string commandLine, CancellationToken ct)
    {
        var o = new List<string>();
        var e = new List<string>();
        var code = await CommandHostClient.RunAsync(Endpoint, commandLine, o.Add, e.Add, ct);
        return (code, o, e);
    }

    static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    public async ValueTask DisposeAsync()
    {
        // Youngest first, so the oldest (coordinators) hands over least.
        for (var i = _hosts.Count - 1; i >= 0; i--)
        {
            await _hosts[i].StopAsync();
            _hosts[i].Dispose();
        }
        _hosts.Clear();
    }
}
