using System.Diagnostics;

namespace GainCal.Cli.Commands;

/// <summary>Shared plumbing of the report commands: progress lines with elapsed time, and one-line errors for bad input.</summary>
internal sealed class ReportCli(string command)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public void Progress(string step) => Console.Error.WriteLine($"gaincal {command}: [{_clock.Elapsed.TotalSeconds,6:F1} s] {step}");

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Runs a command body; input problems the operator can fix become "gaincal: error: ..." and exit code 1.</summary>
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException or IOException
            or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            Console.Error.WriteLine($"gaincal: error: {e.Message}");
            return 1;
        }
    }
}
