using System.CommandLine;
using System.Text;
using GainCal.Cluster;
using GainCal.Operations;

namespace GainCal.Cli.Commands;

/// <summary>Finds a run's output directory: given with --run-dir, or asked of the cluster that ran it (the run registry).</summary>
internal static class RunOutput
{
    public static Option<string> NodeOption() => new("--node")
    {
        Description = $"Command host of any cluster node, asked for the run's output directory when --run-dir is not given (default {RunCommands.DefaultNode})",
        DefaultValueFactory = _ => RunCommands.DefaultNode,
    };

    public static string Directory(uint run, string? runDir, string node)
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
            throw new InvalidOperationException($"run {run}: no --run-dir given and the cluster at {node} cannot be asked: {e.Message}", e);
        }
        if (code != 0) throw new ArgumentException(stderr.ToString().Trim().Replace("error: ", "", StringComparison.Ordinal));
        var view = StatusText.FromJson(stdout.ToString())
            ?? throw new InvalidDataException($"run {run}: the node at {node} sent no run status");
        return view.OutputDir;
    }
}
