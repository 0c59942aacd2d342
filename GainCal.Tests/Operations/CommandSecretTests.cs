using GainCal.Operations;
using GainCal.Tests.Cluster;

namespace GainCal.Tests.Operations;

public class CommandSecretTests
{
    [Fact]
    public async Task Host_bound_beyond_loopback_refuses_clients_without_the_right_secret()
    {
        using var dir = new TempDir();
        var settings = OpsNode.Defaults(dir.Path) with { CommandHost = "0.0.0.0", CommandSecret = "s3cret-for-the-test" };
        await using var node = await OpsNode.StartAsync(settings);

        var none = await node.RunAsync("cluster show", secret: "");
        Assert.Equal(CommandHostService.Refused, none.Code);
        Assert.Empty(none.Out);
        Assert.Equal(["error: refused: this command host requires the shared secret; set GAINCAL_COMMANDSECRET or pass --secret-file FILE"], none.Err);

        var wrong = await node.RunAsync("cluster show", secret: "guess");
        Assert.Equal(CommandHostService.Refused, wrong.Code);
        Assert.Empty(wrong.Out);
        Assert.Equal(["error: refused: wrong shared secret for this command host"], wrong.Err);

        var right = await node.RunAsync("cluster show", secret: "s3cret-for-the-test");
        Assert.Equal(0, right.Code);
        Assert.Equal("Count: 1 nodes", right.Out[^1]);

        // The operator's client: the secret from a file or from the environment; without it, exit 3.
        var file = Path.Combine(dir.Path, "secret");
        await File.WriteAllTextAsync(file, "s3cret-for-the-test\n");
        var fromFile = await PbmClientTests.Gaincal(null, "pbm", "--secret-file", file, node.Endpoint, "cluster", "status");
        Assert.Equal(0, fromFile.Code);
        var fromVariable = await PbmClientTests.GaincalWithSecret("s3cret-for-the-test", "pbm", node.Endpoint, "cluster", "status");
        Assert.Equal((0, fromFile.Out), (fromVariable.Code, fromVariable.Out));
        var without = await PbmClientTests.Gaincal(null, "pbm", node.Endpoint, "cluster", "status");
        Assert.Equal((CommandHostService.Refused, ""), (without.Code, without.Out));
        Assert.Contains("requires the shared secret", without.Err);
    }

    [Fact]
    public async Task Secret_file_works_before_or_after_the_endpoint_and_the_command()
    {
        using var dir = new TempDir();
        var settings = OpsNode.Defaults(dir.Path) with { CommandHost = "0.0.0.0", CommandSecret = "s3cret-for-the-test" };
        await using var node = await OpsNode.StartAsync(settings);
        var file = Path.Combine(dir.Path, "secret");
        await File.WriteAllTextAsync(file, "s3cret-for-the-test\n");
        string[][] orders =
        [
            ["pbm", "--secret-file", file, node.Endpoint, "cluster", "show"],
            ["pbm", node.Endpoint, "--secret-file", file, "cluster", "show"],
            ["pbm", node.Endpoint, "cluster", "show", "--secret-file", file],
        ];
        foreach (var args in orders)
        {
            var run = await PbmClientTests.Gaincal(null, args);
            Assert.True(run.Code == 0, $"{string.Join(' ', args)}: {run.Err}");
            Assert.EndsWith("Count: 1 nodes\n", run.Out);
        }
        var noFile = await PbmClientTests.Gaincal(null, "pbm", node.Endpoint, "cluster", "show", "--secret-file");
        Assert.Equal(1, noFile.Code);
        Assert.Contains("--secret-file", noFile.Err);
    }

    [Fact]
    public async Task Host_will_not_bind_beyond_loopback_without_a_secret()
    {
        using var dir = new TempDir();
        var settings = OpsNode.Defaults(dir.Path) with { CommandHost = "0.0.0.0" };
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => OpsNode.StartAsync(settings));
        Assert.Contains("is beyond loopback: set CommandSecret", e.Message);
    }

    [Fact]
    public void The_answer_depends_on_secret_and_challenge()
    {
        var challenge = CommandSecret.NewChallenge();
        var answer = CommandSecret.Answer("a", challenge);
        Assert.True(CommandSecret.Check("a", challenge, answer));
        Assert.False(CommandSecret.Check("b", challenge, answer));
        Assert.False(CommandSecret.Check("a", CommandSecret.NewChallenge(), answer));
        Assert.Matches("^[0-9a-f]{64}$", answer);   // HMAC-SHA256 in hex: the secret itself is never sent
    }
}
