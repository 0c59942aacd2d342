using System.CommandLine;
using GainCal.Cli.Commands;

var root = new RootCommand(
    "GainCal: CMS Phase-1 pixel gain calibration. Fits a pedestal and a gain for every pixel from the\n" +
    "FED calibration dumps (GainCalibration_<FED>_<RUN>.dmp), locally for one FED or on a GainCal cluster.");
foreach (var command in CoreCommands.Create()) root.Subcommands.Add(command);
foreach (var command in RunCommands.Create()) root.Subcommands.Add(command);
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(PbmCommand.Create());
root.Subcommands.Single(c => c.Name == "bench").Subcommands.Add(BenchClusterCommand.Create());
root.Subcommands.Single(c => c.Name == "bench").Subcommands.Add(BenchXRootDCommand.Create());
return await CliErrors.InvokeAsync(root, args);
