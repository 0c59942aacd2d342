using System.CommandLine;

namespace GainCal.Cli.Commands;

/// <summary>Every command of `gaincal`, in the order `--help` lists them.</summary>
internal static class CoreCommands
{
    public static IEnumerable<Command> Create() =>
    [
        CalibrateCommand.Create(),
        PixelCommand.Create(),
        ExportCommand.Create(),
        SimulateCommand.Create(),
        .. ReportCommands.Create(),
        PayloadCommands.Create(),
        VCalCommands.Create(),
        CablingCommands.Create(),
        BenchCommand.Create(),
    ];
}
