using System.CommandLine;
using GainCal.Detector;
using GainCal.Dump;
using GainCal.Operations;

namespace GainCal.Cli.Commands;

/// <summary>Turns the expected failures of a command (bad input files, wrong arguments) into one clear line and exit code 1.</summary>
internal static class CliErrors
{
    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        CliValues.UseOperatorParsers(root);
        try
        {
            // Parsing too: an option's default may read a file (the node from ~/.config/gaincal/cli.json).
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (IsUserError(e))
        {
            Console.Error.WriteLine($"gaincal: error: {e.Message}");
            return 1;
        }
    }

    /// <summary>Input problems the operator can fix; anything else is a bug and keeps its stack trace.</summary>
    public static bool IsUserError(Exception e) => e is DumpFormatException or CablingFormatException or FileNotFoundException or DirectoryNotFoundException
        or InvalidDataException or ArgumentException or UnauthorizedAccessException or IOException or InvalidOperationException
        or FormatException or CommandHostUnreachableException;
}
