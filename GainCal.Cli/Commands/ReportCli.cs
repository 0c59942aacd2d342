using System.Diagnostics;

namespace GainCal.Cli.Commands;

/// <summary>Progress lines of the report commands, with the elapsed time (their errors are CliErrors' one-liners).</summary>
internal sealed class ReportCli(string command)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public void Progress(string step) => Console.Error.WriteLine($"gaincal {command}: [{_clock.Elapsed.TotalSeconds,6:F1} s] {step}");

    public TimeSpan Elapsed => _clock.Elapsed;
}
