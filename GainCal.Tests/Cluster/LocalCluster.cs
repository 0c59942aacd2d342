using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GainCal.Cluster;
using GainCal.Operations;

namespace GainCal.Tests.Cluster;

/// <summary>Real node processes on 127.0.0.1, started and stopped with deploy/local/start.sh and stop.sh
/// (the node binary is the GainCal.Node.dll built beside the tests).</summary>
public sealed class LocalCluster : IAsyncDisposable
{
    public int Nodes { get; }
    public string DataDir { get; }
    public int BasePort { get; }
    public int CommandPort { get; }
    /// <summary>First node's dashboard port (deploy/local/start.sh -w); 0 = no HTTP.</summary>
    public int HttpPort { get; private init; }
    readonly string _roots;
    readonly string[] _nodeArgs;

    LocalCluster(int nodes, string dataDir, string roots, string[] nodeArgs)
    {
        Nodes = nodes;
        DataDir = dataDir;
        _roots = roots;
        _nodeArgs = nodeArgs;
        (BasePort, CommandPort) = ConsecutiveFreePorts(nodes);
    }

    public static string RepoRoot
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "deploy", "local", "start.sh"))) return d.FullName;
            throw new InvalidOperationException("deploy/local/start.sh not found above " + AppContext.BaseDirectory);
        }
    }

    public static Task<LocalCluster> StartAsync(int nodes, string dataDir, string allowedRoots, params string[] nodeArgs) =>
        StartAsync(nodes, dataDir, allowedRoots, false, nodeArgs);

    /// <summary>With <paramref name="http"/> every node also serves its dashboard, /health and /metrics.</summary>
    public static async Task<LocalCluster> StartAsync(int nodes, string dataDir, string allowedRoots, bool http, params string[] nodeArgs)
    {
        var c = new LocalCluster(nodes, dataDir, allowedRoots, nodeArgs) { HttpPort = http ? FreeRange(nodes, 40000, 50000) : 0 };
        await c.ScriptAsync("start.sh", c.StartArgs(null));
        await c.WaitMembersAsync(nodes, 1, TimeSpan.FromSeconds(60));
        await c.WaitCoordinatorAsync(TimeSpan.FromSeconds(60));
        return c;
    }

    string[] StartArgs(int? only)
    {
        var args = new List<string> { "-n", $"{Nodes}", "-d", DataDir, "-p", $"{BasePort}", "-c", $"{CommandPort}", "-r", _roots };
        if (only is { } i) args.AddRange(["--only", $"{i}"]);
        if (HttpPort != 0) args.AddRange(["-w", $"{HttpPort}"]);
        args.Add("--");
        args.AddRange(_nodeArgs);
        return args.ToArray();
    }

    public Task StartNodeAsync(int i) => ScriptAsync("start.sh", StartArgs(i));
    public Task StartAllAsync() => ScriptAsync("start.sh", StartArgs(null));
    /// <summary>SIGTERM (graceful leave), or with kill SIGKILL to every node at once.</summary>
    public Task StopAllAsync(bool kill = false) => ScriptAsync("stop.sh", kill ? ["-d", DataDir, "--kill"] : ["-d", DataDir]);

    /// <summary>kill -9: the node dies without leaving the cluster.</summary>
    public void Kill(int i)
    {
        var pidFile = Path.Combine(DataDir, $"node-{i}.pid");
        var pid = int.Parse(File.ReadAllText(pidFile).Trim());
        using var p = Process.GetProcessById(pid);
        p.Kill();
        p.WaitForExit(10_000);
        File.Delete(pidFile);
    }

    public string Endpoint(int i) => $"127.0.0.1:{CommandPort + i - 1}";
    public string Address(int i) => $"127.0.0.1:{BasePort + i - 1}";
    public string HttpUrl(int i) => $"http://127.0.0.1:{HttpPort + i - 1}/";

    public async Task<(int Code, List<string> Out, List<string> Err)> RunAsync(int node, string commandLine)
    {
        var o = new List<string>();
        var e = new List<string>();
        var code = await CommandHostClient.RunAsync(Endpoint(node), commandLine, o.Add, e.Add);
        return (code, o, e);
    }

    /// <summary>The run's status as the coordinator sees it, or null while it cannot answer (failover).</summary>
    public async Task<RunStatusView?> StatusAsync(int node, uint run)
    {
        try
        {
            var (code, o, _) = await RunAsync(node, $"gaincal status {run} --json");
            return code == 0 ? StatusText.FromJson(string.Join('\n', o)) : null;
        }
        catch (CommandHostUnreachableException)
        {
            return null;
        }
    }

    public async Task<RunStatusView> WaitAsync(int node, uint run, Func<RunStatusView, bool> condition, TimeSpan timeout, string what)
    {
        var sw = Stopwatch.StartNew();
        RunStatusView? last = null;
        while (sw.Elapsed < timeout)
        {
            if (await StatusAsync(node, run) is { } s)
            {
                last = s;
                if (condition(s)) return s;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"{what}: not reached in {timeout.TotalSeconds} s; last status:\n" +
                                   (last is null ? "none" : string.Join('\n', StatusText.Render(last))) + "\n" + LogTails());
    }

    public async Task WaitMembersAsync(int count, int viaNode, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            try
            {
                var (_, o, _) = await RunAsync(viaNode, "cluster show");
                if (o.Count(l => l.EndsWith("| up")) == count && o.Contains($"Count: {count} nodes")) return;
            }
            catch (CommandHostUnreachableException)
            {
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"cluster did not reach {count} up members in {timeout.TotalSeconds} s\n" + LogTails());
    }

    /// <summary>Until the run coordinator, a singleton started once the members are up, answers a run command: on a
    /// loaded host its first answer can take longer than a run command waits, and the test's first `create` then fails.</summary>
    public async Task WaitCoordinatorAsync(TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            var (_, _, err) = await RunAsync(1, "gaincal runs");
            if (!err.Any(l => l.Contains("did not answer in time", StringComparison.Ordinal))) return;
            await Task.Delay(250);
        }
        throw new TimeoutException($"the run coordinator did not answer in {timeout.TotalSeconds} s\n" + LogTails());
    }

    /// <summary>WARNING/ERROR lines of every node's log that contain the text (case-insensitive).</summary>
    public List<string> LogLines(string level, string text) =>
        Enumerable.Range(1, Nodes).Select(i => Path.Combine(DataDir, $"node-{i}.log")).Where(File.Exists)
            .SelectMany(File.ReadLines)
            .Where(l => l.Contains($"[{level}]") && l.Contains(text, StringComparison.OrdinalIgnoreCase)).ToList();

    public string LogTails() => string.Join('\n', Enumerable.Range(1, Nodes).Select(i =>
    {
        var log = Path.Combine(DataDir, $"node-{i}.log");
        return File.Exists(log) ? $"--- node {i}:\n" + string.Join('\n', File.ReadLines(log).TakeLast(15)) : "";
    }));

    async Task ScriptAsync(string script, string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(RepoRoot, "deploy", "local", script));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NODE_DLL"] = Path.Combine(AppContext.BaseDirectory, "GainCal.Node.dll");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        if (p.ExitCode != 0) throw new InvalidOperationException($"{script} failed ({p.ExitCode}): {await stdout}{await stderr}");
    }

    static (int, int) ConsecutiveFreePorts(int n)
    {
        var random = new Random();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var a = random.Next(20000, 30000);
            var b = random.Next(30000, 40000);
            if (Enumerable.Range(a, n).Concat(Enumerable.Range(b, n)).All(IsFree)) return (a, b);
        }
        throw new InvalidOperationException("no free port range");
    }

    static int FreeRange(int n, int low, int high)
    {
        var random = new Random();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var a = random.Next(low, high);
            if (Enumerable.Range(a, n).All(IsFree)) return a;
        }
        throw new InvalidOperationException("no free port range");
    }

    static bool IsFree(int port)
    {
        try
        {
            var l = new TcpListener(IPAddress.Loopback, port);
            l.Start();
            l.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync() => await StopAllAsync();
}
