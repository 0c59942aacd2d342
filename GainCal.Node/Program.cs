using GainCal.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// One GainCal cluster node. Configuration: appsettings.json, then GAINCAL_* variables, then the command
// line (docs/cluster.md lists the keys). Exit codes: see NodeExit.
NodeSettings settings;
try
{
    settings = NodeSettings.From(NodeSettings.BuildConfiguration(args));
}
catch (Exception e) when (e is ArgumentException or FormatException or InvalidDataException)
{
    Console.Error.WriteLine($"gaincal-node: {e.Message}");
    return NodeExit.Configuration;
}

IHost host;
if (settings.HttpPort > 0)
    host = GainCal.Node.Dashboard.DashboardHost.Build(settings);
else
{
    var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = args });
    builder.Logging.AddSimpleConsole(o =>
    {
        o.SingleLine = true;
        o.TimestampFormat = "HH:mm:ss.fff ";
    });
    builder.Logging.SetMinimumLevel(LogLevel.Information);
    builder.Services.AddGainCalNode(settings);
    host = builder.Build();
}
Console.WriteLine($"gaincal-node {settings.Host}:{settings.Port} roles [{string.Join(",", settings.Roles)}] " +
                  $"seeds [{string.Join(",", settings.Seeds)}] data {Path.GetFullPath(settings.DataDir)} " +
                  $"persistence {settings.Persistence} command host {settings.CommandHost}:{settings.CommandPort}" +
                  (settings.HttpPort > 0 ? $" http {settings.CommandHost}:{settings.HttpPort}" : ""));
try
{
    await host.StartAsync();
}
catch (Exception e) when (e is InvalidOperationException or IOException or System.Net.Sockets.SocketException)
{
    // A taken port, an unusable journal: one line for the operator, the details in the log above.
    Console.Error.WriteLine($"gaincal-node: cannot start: {e.Message}");
    return NodeExit.CannotStart;
}
await host.WaitForShutdownAsync();
return NodeExit.Stopped;

/// <summary>The node's exit codes (docs/cluster.md 5).</summary>
static class NodeExit
{
    public const int Stopped = 0;
    /// <summary>A configuration value is wrong or missing (e.g. no CommandSecret beyond loopback); nothing was started.</summary>
    public const int Configuration = 2;
    /// <summary>The configuration was read but the node could not start (port taken, journal unusable).</summary>
    public const int CannotStart = 3;
}
