using GainCal.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// One GainCal cluster node. Configuration: appsettings.json, then GAINCAL_* variables, then the command
// line (docs/cluster.md lists the keys). Exit codes: see NodeExit.
NodeSettings settings;
try
{
    settings = NodeSettings.From(NodeSettings.BuildConfiguration(args)).Validated();
    if (settings.Cabling is { } cablingPath)
    {
        var cabling = GainCal.Detector.CablingMap.Load(cablingPath, settings.CablingTag);
        SetupCache.UseCabling(cabling);
        Console.WriteLine($"cabling: {cabling.Origin}");
    }
    else if (settings.CablingTag is not null)
        throw new ArgumentException("--cabling-tag needs --cabling");
}
catch (Exception e) when (e is ArgumentException or FormatException or InvalidDataException or IOException or UnauthorizedAccessException or GainCal.Detector.CablingFormatException)
{
    Console.Error.WriteLine($"gaincal-node: {e.Message}");
    return NodeExit.Configuration;
}

IHost host;
try
{
    host = Build(settings, args);
    await host.StartAsync();
}
catch (Exception e) when (e is InvalidOperationException or IOException or InvalidDataException or System.Net.Sockets.SocketException)
{
    // A taken port, a journal that must exist and does not: one line for the operator, details in the log above.
    Console.Error.WriteLine($"gaincal-node: cannot start: {e.Message}");
    return NodeExit.CannotStart;
}
Console.WriteLine($"gaincal-node {settings.Host}:{settings.Port} roles [{string.Join(",", settings.Roles)}] " +
                  $"seeds [{string.Join(",", settings.Seeds)}] data {Path.GetFullPath(settings.DataDir)} " +
                  $"persistence {settings.Persistence} command host {settings.CommandHost}:{settings.CommandPort}" +
                  (settings.HttpPort > 0 ? $" http {settings.CommandHost}:{settings.HttpPort}" : ""));
await host.WaitForShutdownAsync();
return NodeExit.Stopped;

static IHost Build(NodeSettings settings, string[] args)
{
    if (settings.HttpPort > 0) return GainCal.Node.Dashboard.DashboardHost.Build(settings);
    var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = args });
    builder.Logging.AddSimpleConsole(o =>
    {
        o.SingleLine = true;
        o.TimestampFormat = "HH:mm:ss.fff ";
    });
    builder.Logging.SetMinimumLevel(LogLevel.Information);
    builder.Services.AddGainCalNode(settings);
    return builder.Build();
}

/// <summary>The node's exit codes (docs/cluster.md 5).</summary>
static class NodeExit
{
    public const int Stopped = 0;
    /// <summary>A configuration value is wrong or missing (e.g. no CommandSecret beyond loopback); nothing was started.</summary>
    public const int Configuration = 2;
    /// <summary>The configuration was read but the node could not start (port taken, --journal-must-exist without a journal).</summary>
    public const int CannotStart = 3;
}
