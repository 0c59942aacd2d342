using System.CommandLine;
using System.Globalization;
using GainCal.Detector;
using GainCal.Payloads;

namespace GainCal.Cli.Commands;

/// <summary><c>gaincal vcal</c>: calc_corrections.py (dose corrections) and SiPixelVCalDB_cfg.py (the VCal DB object).</summary>
internal static class VCalCommands
{
    public static Command Create()
    {
        var command = new Command("vcal", "VCal to electrons conversion: irradiation corrections per layer/ring and the SiPixelVCal DB object");
        command.Subcommands.Add(CreateCorrections());
        command.Subcommands.Add(CreateDb());
        return command;
    }

    private static Option<string> LumiOption(bool required) => new("--lumi", "-l")
    {
        Description = "Luminosity table: 'run2 <2017> <2018>' and one '<tag> <cumulative Run-3 fb^-1>' or '<tag> +<increment>' per line",
        Required = required,
    };

    private static Command CreateCorrections()
    {
        var lumi = LumiOption(required: true);
        var tag = new Option<string?>("--tag", "-t") { Description = "Tag to plot (default: the last tag of the table, as the script)" };
        var plot = new Option<string?>("--plot", "-p") { Description = "Write the correction-vs-dose plot (PNG) for the tag" };
        var command = new Command("corrections", "Dose per BPix layer and FPix ring and the VCal slope correction factors of every tag (calc_corrections.py)");
        command.Options.Add(lumi);
        command.Options.Add(tag);
        command.Options.Add(plot);
        command.SetAction(parsed =>
        {
            var o = parsed.InvocationConfiguration.Output;
            try
            {
                var table = LumiTable.Load(parsed.GetValue(lumi)!);
                var all = DoseModel.Compute(table);
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Luminosity until end 2018: {table.Lumi2017 + table.Lumi2018,7:F2} fb^-1"));
                foreach (var c in all)
                {
                    o.WriteLine();
                    o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{c.Tag}: Run-3 {c.LumiRun3:F3} fb^-1, total {table.Lumi2017 + table.Lumi2018 + c.LumiRun3:F2} fb^-1"));
                    o.WriteLine("  dose (Mrad): " + string.Join(", ", c.LayerDose.Select(kv => string.Create(CultureInfo.InvariantCulture, $"layer {kv.Key} {kv.Value:F4}"))
                        .Concat(c.RingDose.Select(kv => string.Create(CultureInfo.InvariantCulture, $"ring {kv.Key} {kv.Value:F4}")))));
                    o.WriteLine("  " + c.BpixText);
                    o.WriteLine("  " + c.FpixText);
                }
                if (parsed.GetValue(plot) is { } png)
                {
                    var chosen = parsed.GetValue(tag) is { } t ? DoseModel.Compute(table, t) : all[^1];
                    DosePlot.Save(chosen, png);
                    o.WriteLine();
                    o.WriteLine($"wrote {png} (doses of {chosen.Tag})");
                }
                return 0;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException or KeyNotFoundException or UnauthorizedAccessException)
            {
                parsed.InvocationConfiguration.Error.WriteLine($"gaincal vcal corrections: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

    private static Command CreateDb()
    {
        var tag = new Option<string>("--tag", "-t") { Description = "Tag name (letters, digits, '_', '-', '.'), e.g. SiPixelVCal_phase1_2026_v0", Required = true };
        var lumi = LumiOption(required: false);
        var lumiTag = new Option<string?>("--lumi-tag") { Description = "Tag of the luminosity table to use (default: the tag name without 'SiPixelVCal_phase1_')" };
        var bpix = new Option<string?>("--bpix") { Description = "Explicit BPix factors for layers 1-4, e.g. 1.095,1.056,1.039,1.023 (instead of --lumi)" };
        var fpix = new Option<string?>("--fpix") { Description = "Explicit FPix factors for rings 1-2, e.g. 1.1397,1.0914 (instead of --lumi)" };
        var output = new Option<string?>("--output", "-o") { Description = "SQLite file to write (default: <tag>.db)" };
        var text = new Option<string?>("--text") { Description = "Also write the 'detid slope offset' text table the calibration reads" };
        var command = new Command("db", "Build the SiPixelVCal object (per-module slope and offset, float32) as a conditions SQLite file (SiPixelVCalDB_cfg.py)");
        foreach (var opt in new Option[] { tag, lumi, lumiTag, bpix, fpix, output, text }) command.Options.Add(opt);
        command.SetAction(parsed =>
        {
            var o = parsed.InvocationConfiguration.Output;
            try
            {
                var name = parsed.GetValue(tag)!;
                if (!IsTagName(name))
                    throw new ArgumentException($"--tag '{name}': a tag name is letters, digits, '_', '-' and '.', not starting with '.' or '-' (it also names the default output file), e.g. SiPixelVCal_phase1_2026_v0");
                IReadOnlyDictionary<int, double> layers, rings;
                if (parsed.GetValue(lumi) is { } lumiPath)
                {
                    if (parsed.GetValue(bpix) is not null || parsed.GetValue(fpix) is not null)
                        throw new ArgumentException("give either --lumi or --bpix/--fpix, not both");
                    var key = parsed.GetValue(lumiTag) ?? (name.StartsWith("SiPixelVCal_phase1_", StringComparison.Ordinal) ? name["SiPixelVCal_phase1_".Length..] : name);
                    var c = DoseModel.Compute(LumiTable.Load(lumiPath), key);
                    (layers, rings) = (c.Bpix, c.Fpix);
                    o.WriteLine($"corrections of {c.Tag}: {c.BpixText}; {c.FpixText}");
                }
                else
                {
                    layers = ParseFactors(parsed.GetValue(bpix), "--bpix", 4);
                    rings = ParseFactors(parsed.GetValue(fpix), "--fpix", 2);
                }
                var entries = VCalDb.Build(layers, rings);
                var path = parsed.GetValue(output) ?? name + ".db";
                var hash = VCalDb.Write(path, name, entries);
                o.WriteLine($"{"",8} {"slope",10} {"offset",8} modules");
                foreach (var g in entries.GroupBy(kv => Group(new DetId(kv.Key))).OrderBy(g => g.Key))
                {
                    var first = g.First().Value;
                    o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{g.Key,-8} {first.Slope,10:G7} {first.Offset,8:G7} {g.Count()}"));
                }
                int missing = DetId.AllModules.Count - entries.Count;
                o.WriteLine($"wrote {path}: tag {name}, {entries.Count} modules, IOV since 1, payload {hash}" + (missing > 0 ? $"; {missing} modules without a factor use the defaults 47 / -60" : ""));
                if (parsed.GetValue(text) is { } textPath)
                {
                    VCalDb.WriteText(textPath, entries);
                    o.WriteLine($"wrote {textPath}");
                }
                return 0;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException or KeyNotFoundException or UnauthorizedAccessException)
            {
                parsed.InvocationConfiguration.Error.WriteLine($"gaincal vcal db: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

    private static bool IsTagName(string name) =>
        name.Length > 0 && name[0] is not ('.' or '-') && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

    private static string Group(DetId id) => id.IsBPix ? $"layer {id.Layer}" : $"ring {id.Ring}";

    private static Dictionary<int, double> ParseFactors(string? text, string option, int count)
    {
        if (text is null) throw new ArgumentException("give --lumi, or both --bpix and --fpix");
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != count) throw new ArgumentException($"{option} needs {count} comma-separated factors, got {parts.Length}");
        var result = new Dictionary<int, double>();
        for (int i = 0; i < count; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !(v > 0) || !double.IsFinite(v))
                throw new ArgumentException($"{option}: '{parts[i]}' is not a positive number");
            result[i + 1] = v;
        }
        return result;
    }
}
