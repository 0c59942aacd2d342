using System.Net;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using GainCal.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using HttpResults = Microsoft.AspNetCore.Http.Results;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace GainCal.Node.Dashboard;

/// <summary>The node as an ASP.NET Core application (when HttpPort is set): the live dashboard at /, its
/// server-sent events at /events, the snapshot as JSON at /api/dashboard, a pixel's curve at /pixel and the history
/// of merged runs at /history (<see cref="DashboardPages"/>), health at /health/live (the ActorSystem
/// runs), /health/ready (this node is an Up cluster member and reads its journal) and /health (both), Prometheus
/// metrics at /metrics. An unhealthy answer (503) names each failing check and its reason, one per line.
/// HTTP binds to the command host's address: loopback unless configured otherwise.</summary>
public static class DashboardHost
{
    public static WebApplication Build(NodeSettings settings)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Parse(settings.CommandHost), settings.HttpPort));

        builder.Services.AddHealthChecks().AddCheck<JournalReadiness>("journal", tags: ["ready"]);
        builder.Services.AddGainCalNode(settings, (akka, _) => akka
            .WithActorSystemLivenessCheck(tags: ["live"])
            .WithAkkaClusterReadinessCheck(tags: ["ready"]));
        builder.Services.AddSingleton<NodeMetrics>();
        builder.Services.AddSingleton<DashboardFeed>();
        builder.Services.AddSingleton<DashboardPages>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DashboardFeed>());
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("gaincal-node", serviceInstanceId: $"{settings.AdvertisedHost}:{settings.Port}"))
            .WithMetrics(m => m.AddMeter(NodeMetrics.MeterName).AddPrometheusExporter());

        var app = builder.Build();
        app.MapGet("/", (DashboardFeed feed) => HttpResults.Content(WithSnapshot(feed.LatestJson), "text/html; charset=utf-8"));
        app.MapGet("/api/dashboard", (DashboardFeed feed) => HttpResults.Content(feed.LatestJson, "application/json"));
        app.MapGet("/events", Events);
        DashboardPages.Map(app);
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = c => c.Tags.Contains("live"), ResponseWriter = WriteHealth });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteHealth });
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteHealth });
        app.MapPrometheusScrapingEndpoint();
        NodeHttp.Map(app);
        return app;
    }

    /// <summary>"Healthy", or the status followed by "check: reason" for every check that is not healthy.</summary>
    static Task WriteHealth(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "text/plain";
        var failing = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy)
            .Select(e => $"{e.Key}: {e.Value.Description ?? e.Value.Exception?.Message ?? e.Value.Status.ToString()}");
        return http.Response.WriteAsync(string.Join('\n', failing.Prepend(report.Status.ToString())));
    }

    sealed class JournalReadiness(JournalHealth journal) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct) =>
            Task.FromResult(journal.Problem is { } problem
                ? HealthCheckResult.Unhealthy($"cannot be read: {problem}")
                : HealthCheckResult.Healthy());
    }

    static readonly Lazy<string> Page = new(() =>
    {
        using var stream = typeof(DashboardHost).Assembly.GetManifestResourceStream("dashboard.html")
                           ?? throw new InvalidOperationException("dashboard.html is not embedded in GainCal.Node");
        return new StreamReader(stream).ReadToEnd();
    });

    /// <summary>The page with the newest snapshot inside, drawn before the first server-sent event arrives (a page
    /// opened or captured at once is not empty). "&lt;/" cannot end the script element early.</summary>
    static string WithSnapshot(string json) => Page.Value.Replace("/*SNAPSHOT*/", json.Replace("</", "<\\/"), StringComparison.Ordinal);

    /// <summary>Server-sent events: every new snapshot as one `data:` line; a comment every 15 s keeps idle
    /// proxies from closing the stream. Ends when the browser goes.</summary>
    static async Task Events(HttpContext http, DashboardFeed feed)
    {
        var ct = http.RequestAborted;
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        long sequence = -1;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                if (await feed.NextAsync(sequence, TimeSpan.FromSeconds(15), ct) is { } next)
                {
                    sequence = next.Sequence;
                    await http.Response.WriteAsync($"data: {next.Json}\n\n", ct);
                }
                else await http.Response.WriteAsync(": keep-alive\n\n", ct);
                await http.Response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
