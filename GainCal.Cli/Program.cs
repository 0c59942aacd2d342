using System.CommandLine;
using GainCal.Cli.Commands;

var root = new RootCommand("GainCal: CMS Phase-1 pixel gain calibration.");
foreach (var command in ReportCommands.Create()) root.Subcommands.Add(command);
return root.Parse(args).Invoke();
