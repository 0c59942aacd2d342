using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using GainCal.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GainCal.Tests.Cluster;

public static class FreePorts
{
    /// <summary>Ports the OS just handed out and released: free for the next moment, good enough on a test host.</summary>
    public static int[] Take(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }
}

public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("gaincal-test-").FullName;
    public string Sub(string name) => Directory.CreateDirectory(System.IO.Path.Combine(Path, name)).FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A whole node (the same hosting setup as GainCal.Node) inside the test process.</summary>
public sealed class InProcessNode : IAsyncDisposable
{
    public IHost Host { get; }
    public NodeSettings Settings { get; }
    public string CommandEndpoint => $"127.0.0.1:{Settings.CommandPort}";
    public ActorSystem System => Host.Services.GetRequiredService<ActorSystem>();

    InProcessNode(IHost host, NodeSettings settings)
    {
        Host = host;
        Settings = settings;
    }

    public static Task<InProcessNode> StartAsync(string dataDir, params string[] allowedRoots) =>
        StartAsync(SettingsFor(dataDir, allowedRoots));

    /// <summary>A second member of <paramref name="seed"/>'s cluster (same journal), with roots of its own.</summary>
    public static Task<InProcessNode> JoinAsync(InProcessNode seed, params string[] allowedRoots) =>
        StartAsync(SettingsFor(seed.Settings.DataDir, allowedRoots) with { Seeds = [$"127.0.0.1:{seed.Settings.Port}"] });

    internal static NodeSettings SettingsFor(string dataDir, string[] allowedRoots)
    {
        var ports = FreePorts.Take(2);
        return new NodeSettings
        {
            Port = ports[0], CommandPort = ports[1], DataDir = dataDir, AllowedRoots = allowedRoots,
            MaxFeds = 2, FitWorkers = 2, PatternsInFlight = 4,
        };
    }

    /// <summary>Without <paramref name="waitForUp"/> the node is returned as soon as its host started (a node that may
    /// never become a member).</summary>
    public static async Task<InProcessNode> StartAsync(NodeSettings settings, bool waitForUp = true)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddGainCalNode(settings);
        var host = builder.Build();
        await host.StartAsync();
        var node = new InProcessNode(host, settings);
        if (!waitForUp) return node;
        var cluster = Akka.Cluster.Cluster.Get(node.System);
        var up = new TaskCompletionSource();
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        await up.Task.WaitAsync(TimeSpan.FromSeconds(30));
        while (cluster.State.Members.Count == 0) await Task.Delay(50);   // the read view follows MemberUp shortly
        return node;
    }

    public async Task<(int Code, List<string> Out, List<string> Err)> RunAsync(string commandLine)
    {
        var o = new List<string>();
        var e = new List<string>();
        var code = await GainCal.Operations.CommandHostClient.RunAsync(CommandEndpoint, commandLine, o.Add, e.Add);
        return (code, o, e);
    }

    /// <summary>Polls `gaincal status RUN --json` until <paramref name="until"/> holds (3 minutes at most).</summary>
    public async Task<RunStatusView> WaitAsync(uint run, Func<RunStatusView, bool> until)
    {
        var sw = global::System.Diagnostics.Stopwatch.StartNew();
        RunStatusView? status = null;
        while (sw.Elapsed < TimeSpan.FromMinutes(3))
        {
            var s = await RunAsync($"gaincal status {run} --json");
            if (s.Code == 0 && (status = StatusText.FromJson(string.Join('\n', s.Out))) is { } v && until(v)) return v;
            await Task.Delay(200);
        }
        throw new TimeoutException($"run {run}: condition not reached; last status:\n" +
                                   (status is null ? "none" : string.Join('\n', StatusText.Render(status))));
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        Host.Dispose();
    }
}
