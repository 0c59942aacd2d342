using System.Net;
using GainCal.Cluster;
using GainCal.Node;

namespace GainCal.Tests.Cluster;

public class NodeHttpTests
{
    [Fact]
    public async Task Health_cluster_and_run_views_answer_over_http()
    {
        using var dir = new TempDir();
        var ports = FreePorts.Take(3);
        var app = NodeHttp.Build(new NodeSettings { Port = ports[0], CommandPort = ports[1], HttpPort = ports[2], DataDir = dir.Path });
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[2]}/") };
            var deadline = DateTime.UtcNow.AddSeconds(30);
            HttpResponseMessage health;
            while ((health = await http.GetAsync("health")).StatusCode != HttpStatusCode.OK && DateTime.UtcNow < deadline)
                await Task.Delay(100);
            Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
            Assert.Contains($"\"address\":\"akka.tcp://gaincal@127.0.0.1:{ports[0]}\"", await http.GetStringAsync("api/cluster"));
            var run = await http.GetAsync("api/runs/77");
            Assert.Equal(HttpStatusCode.NotFound, run.StatusCode);
            Assert.Contains("run 77 is not known", await run.Content.ReadAsStringAsync());
            Assert.Contains("<title>GainCal node</title>", await http.GetStringAsync(""));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
