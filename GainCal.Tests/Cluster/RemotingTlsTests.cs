using System.Diagnostics;
using Akka.Actor;
using GainCal.Cluster;

namespace GainCal.Tests.Cluster;

/// <summary>Mutual TLS between nodes with certificates made by deploy/tls/make-certs.sh (real openssl), nodes on
/// 127.0.0.x with TLS forced (the check is the same beyond loopback, where it is required).</summary>
public class RemotingTlsTests
{
    static async Task MakeCertificates(string dir, params string[] nodes)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(LocalCluster.RepoRoot, "deploy", "tls", "make-certs.sh"));
        foreach (var a in new[] { "-d", dir }.Concat(nodes)) psi.ArgumentList.Add(a);
        psi.Environment.Remove(RemotingTls.PasswordVariable);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(p.ExitCode == 0, await err);
    }

    static NodeSettings Node(string host, string data, string? certificate, string? ca, string? seed)
    {
        var ports = FreePorts.Take(2);
        return new NodeSettings
        {
            Host = host, Port = ports[0], CommandPort = ports[1], DataDir = data, Seeds = seed is null ? [] : [seed],
            Tls = certificate is not null, TlsCertificate = certificate, TlsCa = ca, MaxFeds = 1, FitWorkers = 1, LogLevel = "ERROR",
        };
    }

    [Fact]
    public async Task Only_nodes_with_a_certificate_of_the_cluster_authority_join_or_reach_it()
    {
        using var dir = new TempDir();
        var lab = dir.Sub("lab");
        var rogue = dir.Sub("rogue");
        await MakeCertificates(lab, "127.0.0.1", "127.0.0.2");
        await MakeCertificates(rogue, "127.0.0.3");
        var data = dir.Sub("data");

        await using var a = await InProcessNode.StartAsync(Node("127.0.0.1", data, $"{lab}/127.0.0.1.pfx", $"{lab}/ca.crt", null));
        var seed = $"127.0.0.1:{a.Settings.Port}";
        await using var b = await InProcessNode.StartAsync(Node("127.0.0.2", data, $"{lab}/127.0.0.2.pfx", $"{lab}/ca.crt", seed));
        var members = Akka.Cluster.Cluster.Get(a.System).State.Members.Select(m => m.Address.ToString()).Order().ToArray();
        Assert.Equal([$"akka.ssl.tcp://gaincal@127.0.0.1:{a.Settings.Port}", $"akka.ssl.tcp://gaincal@127.0.0.2:{b.Settings.Port}"], members);

        // A certificate of another authority (it trusts the lab, the lab does not trust it), and no TLS at all.
        var strangers = new[]
        {
            await InProcessNode.StartAsync(Node("127.0.0.3", dir.Sub("d3"), $"{rogue}/127.0.0.3.pfx", $"{lab}/ca.crt", seed), waitForUp: false),
            await InProcessNode.StartAsync(Node("127.0.0.4", dir.Sub("d4"), null, null, seed), waitForUp: false),
        };
        try
        {
            foreach (var stranger in strangers)
            {
                // Sending: an Identify to the first node's system guardian, over the stranger's own transport (the node
                // without TLS speaks plain akka.tcp to the TLS port), gets no answer.
                var protocol = Akka.Cluster.Cluster.Get(stranger.System).SelfAddress.Protocol;
                var reply = await stranger.System.ActorSelection($"{protocol}://gaincal@{seed}/system")
                    .Ask<ActorIdentity>(new Identify(1), TimeSpan.FromSeconds(10))
                    .ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null);
                Assert.Null(reply?.Subject);
            }
            // Joining: after the strangers' attempts, the cluster is still the two lab nodes, and it still serves.
            var show = await a.RunAsync("cluster show");
            Assert.Equal((0, "Count: 2 nodes"), (show.Code, show.Out[^1]));
            Assert.DoesNotContain(show.Out, l => l.Contains("127.0.0.3") || l.Contains("127.0.0.4"));
            Assert.All(strangers, s => Assert.NotEqual(Akka.Cluster.MemberStatus.Up, Akka.Cluster.Cluster.Get(s.System).SelfMember.Status));
        }
        finally
        {
            foreach (var s in strangers)
                try
                {
                    await s.DisposeAsync();
                }
                catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or AggregateException)
                {
                    // A node whose own handshake failed shuts itself down (akka.net#7839); nothing left to stop.
                }
        }
    }

    [Fact]
    public void Remoting_beyond_loopback_without_certificates_is_a_configuration_error()
    {
        var e = Assert.Throws<ArgumentException>(() => NodeSettings.From(NodeSettings.BuildConfiguration(["--host", "10.1.2.3"])));
        Assert.StartsWith("remoting 10.1.2.3:4053 (advertised 10.1.2.3) is beyond loopback: set TlsCertificate", e.Message);
        e = Assert.Throws<ArgumentException>(() => NodeSettings.From(NodeSettings.BuildConfiguration(["--public-host", "gaincal-1.lab"])));
        Assert.StartsWith("remoting 127.0.0.1:4053 (advertised gaincal-1.lab) is beyond loopback", e.Message);
        e = Assert.Throws<ArgumentException>(() => NodeSettings.From(NodeSettings.BuildConfiguration(
            ["--host", "10.1.2.3", "--tls-certificate", "/nonexistent/n.pfx", "--tls-ca", "/nonexistent/ca.crt"])));
        Assert.Equal("configuration TlsCertificate: /nonexistent/n.pfx does not exist", e.Message);
        var loopback = NodeSettings.From(NodeSettings.BuildConfiguration([]));
        Assert.False(loopback.UsesTls);
        Assert.Null(loopback.TlsProblem());
        Assert.True(NodeSettings.From(NodeSettings.BuildConfiguration(["--tls", "--tls-certificate", "/etc/hostname", "--tls-ca", "/etc/hostname"])).Tls);
    }
}
