using System.Diagnostics;
using System.Net;
using GainCal.Cluster;
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

    [Fact]
    public async Task Wrong_secrets_lock_the_address_out()
    {
        using var dir = new TempDir();
        var settings = OpsNode.Defaults(dir.Path) with { CommandHost = "0.0.0.0", CommandSecret = "s3cret-for-the-test" };
        await using var node = await OpsNode.StartAsync(settings);
        for (var i = 0; i < SecretAttempts.MaxFailures; i++)
            Assert.Equal(["error: refused: wrong shared secret for this command host"], (await node.RunAsync("cluster show", secret: $"guess-{i}")).Err);
        // Now even the right secret is not looked at from this address.
        var locked = await node.RunAsync("cluster show", secret: "s3cret-for-the-test");
        Assert.Equal(CommandHostService.Refused, locked.Code);
        Assert.Matches(@"^error: refused: too many wrong secrets from 127\.0\.0\.1; try again in \d+ s$", Assert.Single(locked.Err));
    }

    sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void Failures_count_per_address_within_the_window()
    {
        var clock = new ManualClock();
        var attempts = new SecretAttempts(clock);
        var a = IPAddress.Parse("10.0.0.1");
        var b = IPAddress.Parse("10.0.0.2");
        for (var i = 1; i < SecretAttempts.MaxFailures; i++)
        {
            Assert.Equal(i, attempts.Failed(a));
            clock.Now += TimeSpan.FromSeconds(1);
        }
        Assert.Null(attempts.LockedOutFor(a));
        Assert.Equal(SecretAttempts.MaxFailures, attempts.Failed(a));
        // Locked until the first failure (4 s ago) leaves the window.
        Assert.Equal(SecretAttempts.Window - TimeSpan.FromSeconds(4), attempts.LockedOutFor(a));
        Assert.Null(attempts.LockedOutFor(b));
        clock.Now += SecretAttempts.Window - TimeSpan.FromSeconds(4);
        Assert.Null(attempts.LockedOutFor(a));
        Assert.Equal(SecretAttempts.MaxFailures, attempts.Failed(a));
        attempts.Succeeded(a);
        Assert.Equal(1, attempts.Failed(a));
    }

    [Fact]
    public void Short_or_missing_secrets_are_configuration_errors()
    {
        var e = Assert.Throws<ArgumentException>(() => NodeSettings.From(NodeSettings.BuildConfiguration(["--command-host", "0.0.0.0"])));
        Assert.StartsWith("command host 0.0.0.0:9110 is beyond loopback: set CommandSecret", e.Message);
        // (Not through the environment: other tests start node processes meanwhile.)
        e = Assert.Throws<ArgumentException>(() => NodeSettings.From(NodeSettings.BuildConfiguration(["--CommandSecret", "short"])));
        Assert.Equal($"configuration CommandSecret: 5 characters, at least {NodeSettings.MinSecretLength} are required " +
                     "(e.g. the output of: openssl rand -hex 24)", e.Message);
        Assert.Equal("configuration CommandHost: 'localhost' is not an IP address",
            Assert.Throws<ArgumentException>(() => NodeSettings.From(NodeSettings.BuildConfiguration(["--command-host", "localhost"]))).Message);
    }

    [Fact]
    public async Task Node_without_its_required_secret_exits_with_one_line_and_code_2()
    {
        using var dir = new TempDir();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir.Path };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "GainCal.Node.dll"));
        foreach (var a in new[] { "--command-host", "0.0.0.0", "--command-port", $"{FreePorts.Take(1)[0]}", "--data-dir", dir.Path })
            psi.ArgumentList.Add(a);
        psi.Environment.Remove("GAINCAL_COMMANDSECRET");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(2, p.ExitCode);
        Assert.Equal("", await stdout);
        Assert.Equal("gaincal-node: command host 0.0.0.0:", (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries).Single()[..35]);
    }
}
