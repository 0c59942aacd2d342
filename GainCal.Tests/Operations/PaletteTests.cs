using System.Text.RegularExpressions;
using Akka.Actor;
using GainCal.Operations;
using GainCal.Tests.Cluster;

namespace GainCal.Tests.Operations;

/// <summary>The Petabridge.Cmd palettes of a real (one-node) cluster through its command host.</summary>
public class PaletteTests
{
    [Fact]
    public async Task Palettes_answer_in_pbm_formats_and_a_malformed_command_gets_usage_while_the_host_keeps_serving()
    {
        using var dir = new TempDir();
        await using var node = await OpsNode.StartAsync(OpsNode.Defaults(dir.Path));
        var self = $"akka.tcp://gaincal@127.0.0.1:{node.Settings.Port}";

        var help = await node.RunAsync("help");
        Assert.Equal(0, help.Code);
        foreach (var palette in new[] { "gaincal:", "cluster:", "cluster-sharding:", "actor:", "log:" })
            Assert.Contains(help.Out, l => l.StartsWith(palette));
        foreach (var command in new[] { "cluster show", "cluster leave", "cluster join -a ADDRESS", "cluster down-unreachable", "cluster tail",
                     "cluster-sharding regions", "cluster-sharding region-stats -r TYPE", "actor hierarchy [-d DEPTH] [-s PATH]",
                     "log peek", "log slurp", "gaincal runs", "gaincal status RUN" })
            Assert.Contains(help.Out, l => l.TrimStart().StartsWith(command));

        var show = await node.RunAsync("cluster show");
        Assert.Equal([$"{self} | [worker] | up", "Count: 1 nodes"], show.Out);

        // The coordinator's region answers (not a proxy): this node holds the shard the FED entity lives in.
        var regions = await node.RunAsync("cluster-sharding regions");
        Assert.Equal(["fed | region | shards: 0 | entities: 0", "run-aggregator | region | shards: 0 | entities: 0"], regions.Out);
        var stats = await node.RunAsync("cluster-sharding region-stats -r fed");
        Assert.Equal(0, stats.Code);
        Assert.Equal([$"{self} | [worker] | up |  | 1.0.0 [coordinator](fed) | shards: 0 | entities: 0"], stats.Out);
        var unknownType = await node.RunAsync("cluster-sharding region-stats -r nosuch");
        Assert.Equal(CommandPalettes.Failed, unknownType.Code);
        Assert.Contains("no shard region type 'nosuch'", unknownType.Err[0]);

        var user = await node.RunAsync("actor hierarchy -d 1 -s /user");
        Assert.Equal(0, user.Code);
        Assert.Equal("/user", user.Out[0]);
        Assert.Contains("/user/run-coordinator", user.Out);
        Assert.DoesNotContain(user.Out, l => l.Count(c => c == '/') > 2 && !l.StartsWith("Count:"));
        Assert.Equal($"Count: {user.Out.Count - 1} actors", user.Out[^1]);
        var deep = await node.RunAsync($"actor hierarchy -s {self}/system -d 2");
        Assert.Contains("/system/sharding/fed", deep.Out);
        var elsewhere = await node.RunAsync("actor hierarchy -s akka.tcp://gaincal@10.1.2.3:4053/system");
        Assert.Equal(CommandPalettes.Usage, elsewhere.Code);
        Assert.Contains("attach pbm to it", elsewhere.Err[0]);

        var peek = await node.RunAsync("log peek -n 3");
        Assert.Equal(3, peek.Out.Count);
        Assert.All(peek.Out, l => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[(DEBUG|INFO|WARNING|ERROR)\] ", l));
        var slurp = await node.RunAsync("log slurp");
        Assert.True(slurp.Out.Count >= 3);
        // The peeked lines, in order, in the whole log (the node may log more in between the two commands).
        var at = slurp.Out.LastIndexOf(peek.Out[0]);
        Assert.True(at >= 0, $"{peek.Out[0]} not in the slurped log");
        Assert.Equal(peek.Out, slurp.Out.Skip(at).Take(3));
        Assert.Contains(slurp.Out, l => l.Contains("command host listening"));   // the host's own log
        Assert.Contains(slurp.Out, l => l.Contains("is JOINING itself"));          // Akka's log
        var warnings = await node.RunAsync("log slurp -l WARNING");
        Assert.All(warnings.Out, l => Assert.Matches(@"\[(WARNING|ERROR)\]", l));

        var runs = await node.RunAsync("gaincal runs");
        Assert.Equal("no runs; create one with gaincal create RUN -i DIR -o DIR", runs.Out[0]);
        Assert.StartsWith("FED slots: ", runs.Out[1]);   // which ones: RunCoordinatorWorkersTests
        Assert.Equal(2, runs.Out.Count);

        // Malformed commands: usage, exit 2; the node answers the next command as before.
        foreach (var bad in new[] { "cluster bogus", "cluster join", "cluster join -a", "cluster join -a garbage", "cluster down -a http://x", "actor hierarchy -d deep", "log peek -n 0",
                     "cluster-sharding region-stats", "nosuch palette", "cluster show extra", "log peek -l LOUD", "gaincal runs 5" })
        {
            var r = await node.RunAsync(bad);
            Assert.True(r.Code == CommandPalettes.Usage, $"{bad}: exit {r.Code}");
            Assert.StartsWith("error: ", r.Err[0]);
            Assert.Contains(r.Err, l => l.StartsWith("usage: ") || l.StartsWith("palettes: "));
            Assert.Empty(r.Out);
        }
        Assert.Equal(show.Out, (await node.RunAsync("cluster show")).Out);
    }

    [Fact]
    public async Task Sharding_statistics_on_a_node_that_only_proxies_come_from_a_real_region()
    {
        using var dir = new TempDir();
        await using var worker = await OpsNode.StartAsync(OpsNode.Defaults(dir.Path));
        await using var seed = await OpsNode.StartAsync(OpsNode.Defaults(dir.Path) with
        {
            Roles = ["seed"], Seeds = [$"127.0.0.1:{worker.Settings.Port}"],
        });
        var workerAddress = $"akka.tcp://gaincal@127.0.0.1:{worker.Settings.Port}";
        var seedAddress = $"akka.tcp://gaincal@127.0.0.1:{seed.Settings.Port}";
        for (var i = 0; i < 100 && (await seed.RunAsync("cluster show")).Out.Count(l => l.EndsWith("| up")) < 2; i++) await Task.Delay(100);

        // A finished FED leaves its shard allocated on the worker: a proxy's answer would show no shard at all.
        var (sim, _) = SimulatedRun.CopyOf(dir.Sub("in"), 31, [1200], 4);
        Assert.Equal(0, (await seed.RunAsync($"gaincal create 31 -i {sim.InputDir} -o {dir.Sub("out")}")).Code);
        Assert.Equal(0, (await seed.RunAsync("gaincal submit 31")).Code);
        for (var i = 0; i < 300 && !(await seed.RunAsync("gaincal runs")).Out[0].Contains("1 FEDs: 1 done"); i++) await Task.Delay(100);
        Assert.Contains("1 FEDs: 1 done", (await seed.RunAsync("gaincal runs")).Out[0]);

        var regions = await seed.RunAsync("cluster-sharding regions");
        Assert.Equal(["fed | proxy | hosted on members with role worker", "run-aggregator | proxy | hosted on members with role worker"], regions.Out);
        var stats = await seed.RunAsync("cluster-sharding region-stats -r fed");
        Assert.Equal(0, stats.Code);
        Assert.Equal(2, stats.Out.Count);
        Assert.Matches($@"^{Regex.Escape(workerAddress)} \| \[worker\] \| up \|  \| 1\.0\.0 \[coordinator\]\(fed\) \| shards: [1-9]\d* \| entities: \d+$",
            stats.Out.Single(l => l.StartsWith(workerAddress)));
        Assert.Equal($"{seedAddress} | [seed] | up |  | 1.0.0 | shards: 0 | entities: 0", stats.Out.Single(l => l.StartsWith(seedAddress)));
        // The worker's own answer agrees (entities aside: the ended FED passivates at its own pace).
        static IEnumerable<string> Shards(IEnumerable<string> lines) => lines.Select(l => l[..l.IndexOf(" | entities:", StringComparison.Ordinal)]).Order();
        Assert.Equal(Shards(stats.Out), Shards((await worker.RunAsync("cluster-sharding region-stats -r fed")).Out));
        var local = await seed.RunAsync("cluster-sharding shard-stats -r fed");
        Assert.Equal(CommandPalettes.Failed, local.Code);
        Assert.Contains("this node only proxies 'fed'", local.Err[0]);

        Assert.Equal(["no unreachable members"], (await worker.RunAsync("cluster down-unreachable")).Out);
        var leave = await seed.RunAsync("cluster leave");
        Assert.Equal((0, $"{seedAddress} left the cluster"), (leave.Code, leave.Out.Single()));
        for (var i = 0; i < 100 && (await worker.RunAsync("cluster show")).Out[^1] != "Count: 1 nodes"; i++) await Task.Delay(100);
        Assert.Equal([$"{workerAddress} | [worker] | up", "Count: 1 nodes"], (await worker.RunAsync("cluster show")).Out);
    }

    [Fact]
    public async Task Cluster_tail_streams_membership_until_the_client_cancels()
    {
        using var dir = new TempDir();
        await using var node = await OpsNode.StartAsync(OpsNode.Defaults(dir.Path));
        await using var connection = await CommandHostConnection.ConnectAsync(node.Endpoint, null, default);
        var lines = new List<string>();
        using var stop = new CancellationTokenSource();
        var first = new TaskCompletionSource();
        var tail = connection.RunAsync("cluster tail", l =>
        {
            lock (lines) lines.Add(l);
            first.TrySetResult();
        }, _ => { }, stop.Token);
        await first.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(300);
        Assert.False(tail.IsCompleted, "cluster tail must keep streaming until cancelled");
        // Meanwhile other clients are served: a malformed command gets its usage, a good one its answer.
        var bad = await node.RunAsync("cluster-sharding region-stats -r");
        Assert.Equal((CommandPalettes.Usage, "usage: cluster-sharding region-stats -r TYPE"), (bad.Code, bad.Err[^1]));
        Assert.Equal(0, (await node.RunAsync("cluster status")).Code);
        Assert.False(tail.IsCompleted);
        stop.Cancel();
        Assert.Equal(0, await tail.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains(lines, l => Regex.IsMatch(l, $@"^\[\d\d:\d\d:\d\d\.\d{{3}}\] MemberUp: akka\.tcp://gaincal@127\.0\.0\.1:{node.Settings.Port} \| \[worker\] \| up$"));
        // The same connection serves the next command after the stream ended.
        var show = new List<string>();
        Assert.Equal(0, await connection.RunAsync("cluster show", show.Add, _ => { }));
        Assert.Equal("Count: 1 nodes", show[^1]);

        // A client that just goes away ends its stream too: the tail's actor stops.
        int TailActors() => ((ActorRefWithCell)((ExtendedActorSystem)node.System).Provider.Guardian).Children.Count(c => c.Path.Name.StartsWith('$'));
        for (var i = 0; i < 50 && TailActors() > 0; i++) await Task.Delay(50);   // the cancelled tail's actor has stopped
        var before = TailActors();
        var gone = await CommandHostConnection.ConnectAsync(node.Endpoint, null, default);
        var orphan = gone.RunAsync("cluster tail", _ => { }, _ => { });
        for (var i = 0; i < 50 && TailActors() == before; i++) await Task.Delay(50);
        Assert.Equal(before + 1, TailActors());
        await gone.DisposeAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => orphan);
        for (var i = 0; i < 50 && TailActors() > before; i++) await Task.Delay(50);
        Assert.Equal(before, TailActors());
    }
}
