using Akka.Actor;
using GainCal.Cluster;
using GainCal.Operations;
using GainCal.Tests.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GainCal.Tests.Operations;

/// <summary>A whole one-node cluster in the test process (GainCal.Node's hosting), with settings a test may change.</summary>
public sealed class OpsNode : IAsyncDisposable
{
    public IHost Host { get; }
    public NodeSettings Settings { get; }
    public ActorSystem System => Host.Services.GetRequiredService<ActorSystem>();
    public string Endpoint => $"127.0.0.1:{Settings.CommandPort}";

    OpsNode(IHost host, NodeSettings settings)
    {
        Host = host;
        Settings = settings;
    }

    public static NodeSettings Defaults(string dataDir)
    {
        var ports = FreePorts.Take(2);
        return new NodeSettings { Port = ports[0], CommandPort = ports[1], DataDir = dataDir, MaxFeds = 1, FitWorkers = 1, LogLevel = "INFO" };
    }

    public static async Task<OpsNode> StartAsync(NodeSettings settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddGainCalNode(settings);
        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            await host.StopAsync();
            host.Dispose();
            throw;
        }
        var node = new OpsNode(host, settings);
        var cluster = Akka.Cluster.Cluster.Get(node.System);
        var up = new TaskCompletionSource();
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        await up.Task.WaitAsync(TimeSpan.FromSeconds(30));
        while (cluster.State.Members.Count == 0) await Task.Delay(50);
        return node;
    }

    public async Task<(int Code, List<string> Out, List<string> Err)> RunAsync(string commandLine, string? secret = null)
    {
        var o = new List<string>();
        var e = new List<string>();
        var code = await CommandHostClient.RunAsync(Endpoint, commandLine, o.Add, e.Add, default, secret);
        return (code, o, e);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        Host.Dispose();
    }
}
