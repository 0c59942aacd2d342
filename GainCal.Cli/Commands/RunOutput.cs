using System.CommandLine;
using System.Text;
using GainCal.Cluster;
using GainCal.Operations;

namespace GainCal.Cli.Commands;

/// <summary>Finds a run's output directory: given with --run-dir, or asked of the cluster that ran it (the run registry).</summary>
internal static class RunOutput
{
    /// <param name="use">What the node is asked for, and when (the help text after "Command host of any cluster node, ").</param>
    public static Option<string> NodeOption(string use) => NodeAddress.Option($"Command host of any cluster node, {use}");

    /// <param name="otherwise">What the operator can give instead of asking the cluster, for the error when it cannot be asked.</param>
    public static string Directory(uint run, string? runDir, string node, string otherwise)
    {
        if (runDir is not null) return runDir;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        int code;
        try
        {
            code = CommandHostClient.RunAsync(node, $"gaincal status {run} --json", l => stdout.AppendLine(l), l => stderr.AppendLine(l))
                .GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not ArgumentException)
        {
            throw new InvalidOperationException($"run {run}: the cluster at {node} cannot be asked for the run's output directory ({otherwise}, or start a node / point --node at one): {e.Message}", e);
        }
        if (code != 0) throw new ArgumentException(stderr.ToString().Trim().Replace("error: ", "", StringComparison.Ordinal));
        var view = StatusText.FromJson(stdout.ToString())
            ?? throw new InvalidDataException($"run {run}: the node at {node} sent no run status");
        return view.OutputDir;
    }
}
