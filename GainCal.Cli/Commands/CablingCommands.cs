using System.CommandLine;
using GainCal.Detector;
using GainCal.Payloads.Conditions;

namespace GainCal.Cli.Commands;

/// <summary><c>gaincal cabling</c>: moves a cabling map between the text format and CMS conditions files.</summary>
internal static class CablingCommands
{
    public static Command Create()
    {
        var command = new Command("cabling", "The pixel cabling map (FED, link, ROC -> module, ROC in module): export it as text, or write it as a CMS SiPixelFedCablingMap conditions file");
        command.Subcommands.Add(CreateExport());
        command.Subcommands.Add(CreateDb());
        return command;
    }

    private static Argument<FileInfo?> Input(string what) => new("input")
    {
        Description = $"{what}: a SiPixelFedCablingMap conditions file (.db) or a text cabling file; default: the built-in synthetic Phase-1 map",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static Option<string?> TagOption(string description) => new("--cabling-tag") { Description = description };

    private static Command CreateExport()
    {
        var input = Input("Cabling to export");
        var tag = TagOption("Tag of the SiPixelFedCablingMap in a conditions file holding several");
        var text = new Option<FileInfo>("--text") { Description = "Text file to write (docs/geometry.md format; what --cabling reads back)", Required = true };
        var command = new Command("export", "Write a cabling map (a conditions file, a text file or the synthetic default) in GainCal's text format") { input, tag, text };
        command.SetAction(parsed =>
        {
            var map = Load(parsed.GetValue(input), parsed.GetValue(tag));
            var path = CliPaths.OutputFile(parsed.GetValue(text)!.FullName);
            map.Save(path);
            Console.WriteLine($"read {map.Origin}");
            Console.WriteLine($"wrote {path}");
            return 0;
        });
        return command;
    }

    private static Command CreateDb()
    {
        var text = new Option<FileInfo?>("--text") { Description = "Text cabling file to convert (docs/geometry.md); default: the built-in synthetic Phase-1 map" };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Conditions SQLite file to write", Required = true };
        var tag = new Option<string>("--tag", "-t")
        {
            Description = "Tag name in the file",
            DefaultValueFactory = _ => "SiPixelFedCablingMap_phase1_GainCal",
        };
        var version = new Option<string>("--cabling-version") { Description = "theVersion string stored in the map", DefaultValueFactory = _ => FedCablingPayload.GainCalVersion };
        var command = new Command("db", "Write a cabling map as a CMS conditions file holding a SiPixelFedCablingMap payload (CMSSW's format; --cabling reads it back)")
        {
            text, output, tag, version,
        };
        command.SetAction(parsed =>
        {
            var map = Load(parsed.GetValue(text), null);
            var path = CliPaths.OutputFile(parsed.GetValue(output)!.FullName);
            var name = parsed.GetValue(tag)!;
            if (name.Length == 0 || name.Any(char.IsWhiteSpace)) throw new ArgumentException($"--tag '{name}': a tag name has no spaces and is not empty");
            var payload = FedCablingPayload.From(map, parsed.GetValue(version)!);
            var hash = ConditionsDb.WriteSingleIov(path, name, FedCablingPayload.ObjectType, payload.Serialize(), $"SiPixelFedCablingMap written by GainCal from {map.Origin}");
            Console.WriteLine($"read {map.Origin}");
            Console.WriteLine($"wrote {path}: tag {name}, {FedCablingPayload.ObjectType} '{payload.Version}', {payload.Map.Count} ROCs, IOV since 1, payload {hash}");
            return 0;
        });
        return command;
    }

    private static CablingMap Load(FileInfo? file, string? tag)
    {
        if (file is null)
            return tag is null ? CablingMap.Synthetic() : throw new ArgumentException("--cabling-tag needs an input conditions file");
        return CablingMap.Load(CliPaths.InputFile(file.FullName, "cabling file"), tag);
    }
}
