using System.Diagnostics;
using GainCal.Cli.Commands;
using GainCal.Tests.Cluster;

namespace GainCal.Tests.Operations;

/// <summary>`gaincal pbm` as an operator runs it: the built gaincal, one command or the prompt on piped input.</summary>
public class PbmClientTests
{
    internal static Task<(int Code, string Out, string Err)> Gaincal(string? input, params string[] args) => Run(input, null, args);

    /// <summary>With $GAINCAL_COMMANDSECRET set.</summary>
    internal static Task<(int Code, string Out, string Err)> GaincalWithSecret(string secret, params string[] args) => Run(null, secret, args);

    static async Task<(int Code, string Out, string Err)> Run(string? input, string? secretVariable, string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "gaincal.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("GAINCAL_COMMANDSECRET");
        if (secretVariable is not null) psi.Environment["GAINCAL_COMMANDSECRET"] = secretVariable;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (input is not null) await p.StandardInput.WriteAsync(input);
        p.StandardInput.Close();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (p.ExitCode, await stdout, await stderr);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task One_shot_commands_exit_with_the_commands_code_and_the_prompt_runs_a_session()
    {
        using var dir = new TempDir();
        await using var node = await OpsNode.StartAsync(OpsNode.Defaults(dir.Path));
        var self = $"akka.tcp://gaincal@127.0.0.1:{node.Settings.Port}";

        var show = await Gaincal(null, "pbm", node.Endpoint, "cluster", "show");
        Assert.Equal(0, show.Code);
        Assert.Equal($"{self} | [worker] | up\nCount: 1 nodes\n", show.Out);

        // Options of the node's commands pass through the client untouched.
        var hierarchy = await Gaincal(null, "pbm", node.Endpoint, "actor", "hierarchy", "-d", "0", "-s", "/user");
        Assert.Equal((0, "/user\nCount: 1 actors\n"), (hierarchy.Code, hierarchy.Out));

        var bad = await Gaincal(null, "pbm", node.Endpoint, "cluster", "join");
        Assert.Equal(2, bad.Code);
        Assert.Equal("error: missing -a ADDRESS\nusage: cluster join -a ADDRESS\n", bad.Err);

        var failed = await Gaincal(null, "pbm", node.Endpoint, "cluster-sharding", "region-stats", "-r", "nosuch");
        Assert.Equal(1, failed.Code);

        var free = FreePorts.Take(1)[0];
        var unreachable = await Gaincal(null, "pbm", $"127.0.0.1:{free}", "cluster", "show");
        Assert.Equal(1, unreachable.Code);
        Assert.StartsWith($"gaincal: error: cannot reach node 127.0.0.1:{free}", unreachable.Err);

        var noEndpoint = await Gaincal(null, "pbm", "nohostport", "cluster", "show");
        Assert.Equal(1, noEndpoint.Code);
        Assert.StartsWith("gaincal: error: HOST:PORT 'nohostport' is not a host and port, e.g. 127.0.0.1:9110\nusage: gaincal pbm", noEndpoint.Err);

        // The prompt on piped input: every line runs on one connection; the last command's code is the exit code.
        var session = await Gaincal("cluster show\nactor hierarchy -d x\n\ncluster status\nexit\ncluster leave\n", "pbm", node.Endpoint);
        Assert.Equal(0, session.Code);
        Assert.Contains($"connected to {node.Endpoint}: palettes gaincal, cluster, cluster-sharding, actor, log, help", session.Out);
        Assert.Contains($"[{node.Endpoint}] pbm> cluster show\n{self} | [worker] | up\nCount: 1 nodes\n", session.Out);
        Assert.Contains($"[{node.Endpoint}] pbm> cluster status\n{self} | [worker] | up\n", session.Out);
        Assert.Contains("error: -d: 'x' is not a whole number from 0 to 64", session.Err);
        Assert.DoesNotContain("cluster leave", session.Out);   // after exit: not run
        Assert.Single(Akka.Cluster.Cluster.Get(node.System).State.Members);
    }

    /// <summary>The prompt on a real terminal (util-linux `script` gives it a pseudo-terminal): Tab completion,
    /// history with Up, Ctrl-C ending `cluster tail` but not the session.</summary>
    [Fact]
    public async Task Prompt_on_a_terminal_completes_recalls_and_survives_ctrl_c()
    {
        if (!File.Exists("/usr/bin/script")) Assert.Skip("util-linux script (a pseudo-terminal for the prompt) is not installed");
        using var dir = new TempDir();
        await using var node = await OpsNode.StartAsync(OpsNode.Defaults(dir.Path));
        var psi = new ProcessStartInfo("/usr/bin/script") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-qfec", $"dotnet {Path.Combine(AppContext.BaseDirectory, "gaincal.dll")} pbm {node.Endpoint}", "/dev/null" })
            psi.ArgumentList.Add(a);
        psi.Environment.Remove("GAINCAL_COMMANDSECRET");
        using var p = Process.Start(psi)!;
        var output = new System.Text.StringBuilder();
        var reader = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int n;
            while ((n = await p.StandardOutput.ReadAsync(buffer)) > 0)
                lock (output) output.Append(buffer, 0, n);
        });
        // Waits until the terminal shows the text one more time than before the keys were typed.
        async Task WaitFor(string text)
        {
            int seen;
            lock (output) seen = Count(output.ToString(), text);
            await WaitForCount(text, seen + 1);
        }
        static int Count(string all, string text) => all.Split(text).Length - 1;
        async Task WaitForCount(string text, int count)
        {
            for (var i = 0; i < 200; i++)
            {
                lock (output)
                    if (Count(output.ToString(), text) >= count) return;
                await Task.Delay(50);
            }
            lock (output) Assert.Fail($"'{text}' did not appear; terminal so far:\n{output}");
        }
        async Task Type(string keys, string expect)
        {
            int seen;
            lock (output) seen = Count(output.ToString(), expect);
            await p.StandardInput.WriteAsync(keys);
            await p.StandardInput.FlushAsync();
            await WaitForCount(expect, seen + 1);
        }
        var self = $"akka.tcp://gaincal@127.0.0.1:{node.Settings.Port} | [worker] | up";
        var prompt = $"[{node.Endpoint}] pbm> ";
        await WaitFor("Tab completes");
        await Type("cluster sta\t", prompt + "cluster status ");
        await Type("\r", self);
        await Type("log pe\t", prompt + "log peek ");
        await Type("-n 1\r", "[INFO]");
        await Type("\u001b[A\u001b[A", prompt + "cluster status");
        await Type("\r", self + "\r\n" + prompt);
        await Type("cluster tail\r", "MemberUp: akka.tcp://gaincal@");
        await Type("\u0003", "\r\n" + prompt);   // the stream ends, the prompt returns
        await Type("cluster leader\r", $"akka.tcp://gaincal@127.0.0.1:{node.Settings.Port}\r\n{prompt}");
        await Type("exit\r", "exit");
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        await reader;
        Assert.Equal(0, p.ExitCode);
        string text;
        lock (output) text = output.ToString();
        Assert.Equal(2, text.Split("\r\n").Count(l => l == self));   // cluster status, then recalled with Up Up
        Assert.Single(text.Split("\r\n"), l => l == $"akka.tcp://gaincal@127.0.0.1:{node.Settings.Port}");   // after Ctrl-C: the leader
    }

    [Fact]
    public void Tab_completion_offers_palettes_commands_and_unused_options()
    {
        string[][] catalog =
        [
            ["cluster", "show"], ["cluster", "down"], ["cluster", "down-unreachable"], ["cluster-sharding", "region-stats", "-r"],
            ["actor", "hierarchy", "-d", "-s"], ["help"],
        ];
        Assert.Equal(["cluster", "cluster-sharding"], PbmShell.Complete(catalog, [], "clu"));
        Assert.Equal(["actor", "cluster", "cluster-sharding", "exit", "help"], PbmShell.Complete(catalog, [], ""));
        Assert.Equal(["down", "down-unreachable"], PbmShell.Complete(catalog, ["cluster"], "do"));
        Assert.Equal(["-s"], PbmShell.Complete(catalog, ["actor", "hierarchy", "-d", "3"], "-"));
        Assert.Empty(PbmShell.Complete(catalog, ["log"], ""));
    }
}
