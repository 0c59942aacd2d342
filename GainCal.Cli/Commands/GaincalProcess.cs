using System.Diagnostics;

namespace GainCal.Cli.Commands;

/// <summary>Starting this same `gaincal` as a child process, the way the current one was started.</summary>
internal static class GaincalProcess
{
    /// <summary>The apphost when this process is one; `dotnet gaincal.dll` when it runs under the dotnet host.
    /// Output and errors are redirected.</summary>
    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(typeof(GaincalProcess).Assembly.Location);
        foreach (var a in args) start.ArgumentList.Add(a);
        return start;
    }
}
