using System.Net;
using HttpResults = Microsoft.AspNetCore.Http.Results;
using Akka.Actor;
using Akka.Hosting;
using GainCal.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

using Microsoft.Extensions.DependencyInjection;

namespace GainCal.Node;

/// <summary>The node's HTTP side (when HttpPort is set): /health for probes, JSON views of the cluster and of a
/// run, and a small live page over them. Bound to the command host's address (loopback unless configured).</summary>
public static class NodeHttp
{
    public static WebApplication Build(NodeSettings settings)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Parse(settings.CommandHost), settings.HttpPort));
        builder.Services.AddGainCalNode(settings);
        var app = builder.Build();
        Map(app);
        return app;
    }

    public static void Map(WebApplication app)
    {
        app.MapGet("/health", (ActorSystem system) =>
        {
            var self = Akka.Cluster.Cluster.Get(system).SelfMember;
            return self.Status == Akka.Cluster.MemberStatus.Up
                ? HttpResults.Text("Healthy")
                : HttpResults.Text($"Unhealthy: member {self.Status}", statusCode: 503);
        });
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
        app.MapGet("/", () => HttpResults.Content(Page, "text/html"));
    }

    // One static page: polls the two JSON views every second.
    const string Page = """
        <!doctype html><html><head><meta charset="utf-8"><title>GainCal node</title>
        <style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}
        .done{background:#dfd}.failed{background:#fdd}.running{background:#ffd}.queued,.pending{background:#eef}</style></head><body>
        <h2>Cluster</h2><table id="members"></table>
        <h2>Run <input id="run" size="8" placeholder="run"></h2><div id="summary"></div><table id="feds"></table>
        <script>
        const run = document.getElementById('run'); run.value = new URLSearchParams(location.search).get('run') || '';
        const esc = s => String(s ?? '').replace(/[&<>]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;'}[c]));
        async function tick() {
          const m = await (await fetch('api/cluster')).json();
          document.getElementById('members').innerHTML = '<tr><th>member</th><th>roles</th><th>status</th></tr>' +
            m.map(x => `<tr><td>${esc(x.address)}</td><td>${esc(x.roles.join(','))}</td><td>${esc(x.status)}${x.unreachable ? ' (unreachable)' : ''}</td></tr>`).join('');
          if (!run.value) return;
          const r = await fetch('api/runs/' + encodeURIComponent(run.value)); const s = await r.json();
          if (!r.ok) { document.getElementById('summary').textContent = s.error; document.getElementById('feds').innerHTML = ''; return; }
          document.getElementById('summary').textContent = `coordinator ${s.coordinatorNode}; output ${s.outputDir}; ` +
            (s.merge ? (s.merge.ok ? `merged: ${s.merge.mergedPath}` : `merge failed: ${s.merge.error}`) : 'not merged');
          document.getElementById('feds').innerHTML = '<tr><th>FED</th><th>state</th><th>node</th><th>attempts</th><th>progress</th><th>error</th></tr>' +
            s.feds.map(f => `<tr class="${f.phase}"><td>${f.fed}</td><td>${f.phase}</td><td>${esc(f.node)}</td><td>${f.attempts}</td>` +
              `<td>${f.length ? (100 * f.bytesRead / f.length).toFixed(1) + '% ' + f.pixelsFitted + ' px' : ''}</td><td>${esc(f.error)}</td></tr>`).join('');
        }
        setInterval(() => tick().catch(() => {}), 1000); tick().catch(() => {});
        </script></body></html>
        """;
}
