using GainCal.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// One GainCal cluster node. Configuration: appsettings.json, then GAINCAL_* variables, then the command
// line (docs/cluster.md lists the keys).
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
    return 2;
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
await host.RunAsync();
return 0;
