using System.Net;
using HttpResults = Microsoft.AspNetCore.Http.Results;
using Akka.Actor;
using Akka.Hosting;
using GainCal.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

using Microsoft.Extensions.DependencyInjection;

namespace GainCal.Node;

/// <summary>JSON views of the cluster (/api/cluster) and of one run (/api/runs/RUN), served beside the dashboard,
/// health and metrics of <see cref="Dashboard.DashboardHost"/>.</summary>
public static class NodeHttp
{
    /// <summary>The node's whole HTTP side: see <see cref="Dashboard.DashboardHost"/>, which maps these views too.</summary>
    public static WebApplication Build(NodeSettings settings) => Dashboard.DashboardHost.Build(settings);

    public static void Map(WebApplication app)
    {
        app.MapGet("/api/cluster", (ActorSystem system) =>
        {
            var state = Akka.Cluster.Cluster.Get(system).State;
            return HttpResults.Json(state.Members.Select(m => new
            {
                address = m.Address.ToString(), roles = m.Roles.ToArray(), status = m.Status.ToString().ToLowerInvariant(),
                unreachable = state.Unreachable.Contains(m),
            }));
        });
        app.MapGet("/api/runs/{run}", async (uint run, IReadOnlyActorRegistry registry) =>
        {
            try
            {
                var reply = await registry.Get<RunCoordinatorProxy>().Ask<RunStatusReply>(new GetRunStatus(run), TimeSpan.FromSeconds(10));
                return reply.Status is { } s
                    ? HttpResults.Content(StatusText.ToJson(s), "application/json")
                    : HttpResults.Json(new { error = reply.Error }, statusCode: 404);
            }
            catch (AskTimeoutException)
            {
                return HttpResults.Json(new { error = "the run coordinator did not answer in time" }, statusCode: 503);
            }
        });
    }
}
