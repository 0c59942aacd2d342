using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using GainCal.Results;

namespace GainCal.Reports;

/// <summary>What <see cref="TwikiPackage.Create"/> wrote, and the summary products it found missing and packed without (<paramref name="Warnings"/>).</summary>
public sealed record TwikiResult(uint Run, string Directory, string Tarball, IReadOnlyList<string> TarEntries, string Text, IReadOnlyList<string> Warnings);

/// <summary>
/// The reference's run.py twiki: copies the summary products of a run into twiki/ (PNGs into twiki/figs/, the
/// logs, the summary PDF as gain_summary_Run&lt;RUN&gt;.pdf, the summary data as Summary_Run&lt;RUN&gt;.json where the
/// reference copies Comp_Run&lt;RUN&gt;.root), packs twiki/ without the PNGs into run&lt;RUN&gt;.tar.gz, and gives the
/// block of TWiki text that Run.sh -twiki printed.
/// </summary>
public static class TwikiPackage
{
    public const string SummaryDirectory = "summary";
    public const string TwikiDirectory = "twiki";
    public const string FiguresDirectory = "figs";

    public static string TarballName(uint run) => $"run{run}.tar.gz";
    public static string PdfName(uint run) => $"gain_summary_Run{run}.pdf";

    /// <param name="runDirectory">The run's output directory (holds summary/ from `gaincal summary`).</param>
    /// <param name="run">The run number; found from summary/summary_Run&lt;RUN&gt;.json when null.</param>
    /// <param name="force">Replace an existing twiki/ directory and tarball (the reference asks interactively).</param>
    /// <param name="includeFigures">Also pack figs/*.png (what the reference's tarfile call really does, see docs/reports.md).</param>
    public static TwikiResult Create(string runDirectory, uint? run, bool force, bool includeFigures, Action<string>? progress = null)
    {
        if (!Directory.Exists(runDirectory)) throw new DirectoryNotFoundException($"{runDirectory}: no such run directory");
        var summary = Path.Combine(runDirectory, SummaryDirectory);
        if (!Directory.Exists(summary))
            throw new DirectoryNotFoundException($"{summary}: no summary directory; run `gaincal summary` for this run first");
        var number = run ?? FindRun(summary);
        var data = Path.Combine(summary, SummaryReport.DataFileName(number));
        var pdf = Path.Combine(summary, SummaryReport.PdfName);
        foreach (var needed in new[] { pdf, data })
            if (!File.Exists(needed))
                throw new FileNotFoundException($"{needed}: missing; run `gaincal summary` for run {number} first", needed);
        var dataRun = ReadRun(data);
        if (dataRun != number) throw new InvalidDataException($"{data}: holds the summary of run {dataRun}, not run {number}");
        // run.py twiki stops when the merged GainCalibration.root is missing; the TWiki text names that file.
        var merged = Path.Combine(Path.GetFullPath(runDirectory), PixelTable.MergedFileName);
        if (!File.Exists(merged))
            throw new FileNotFoundException($"{merged}: no merged results table; run `gaincal merge {number}` first (run.py twiki also stops without it)", merged);
        // Otherwise run.py packs whatever its summary step left, so a missing text, log or plot is a warning.
        var warnings = new List<string>();
        foreach (var name in new[] { $"Summary_Run{number}.txt", $"badFitsROCs_Run{number}.log", $"highGainROCs_Run{number}.log" })
            if (!File.Exists(Path.Combine(summary, name)))
                warnings.Add($"{Path.Combine(summary, name)}: missing; packed without it (rerun `gaincal summary` to write it)");
        if (!Directory.EnumerateFiles(summary, "*.png", SearchOption.AllDirectories).Any())
            warnings.Add($"{summary}: no PNG plots; figs/ is empty");

        var twiki = Path.Combine(runDirectory, TwikiDirectory);
        var tarball = Path.Combine(runDirectory, TarballName(number));
        if (!force && (Directory.Exists(twiki) || File.Exists(tarball)))
            throw new IOException($"{(Directory.Exists(twiki) ? twiki : tarball)} exists already; use --force to overwrite it");
        if (Directory.Exists(twiki)) Directory.Delete(twiki, recursive: true);
        var figs = Directory.CreateDirectory(Path.Combine(twiki, FiguresDirectory)).FullName;

        progress?.Invoke($"copying {summary} to {twiki}");
        foreach (var file in Directory.EnumerateFiles(summary, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            var target = name switch
            {
                _ when name.EndsWith(".png", StringComparison.Ordinal) => Path.Combine(figs, name),
                _ when name.EndsWith(".log", StringComparison.Ordinal) => Path.Combine(twiki, name),
                _ when name == $"Summary_Run{number}.txt" => Path.Combine(twiki, name),
                SummaryReport.PdfName => Path.Combine(twiki, PdfName(number)),
                _ when name == SummaryReport.DataFileName(number) => Path.Combine(twiki, $"Summary_Run{number}.json"),
                _ => null,
            };
            if (target is not null) File.Copy(file, target, overwrite: true);
        }

        progress?.Invoke($"packing {tarball}");
        var entries = new List<string>();
        var temp = tarball + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var stream = File.Create(temp))
            using (var gzip = new GZipStream(stream, CompressionLevel.Optimal))
            using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
            {
                foreach (var file in Directory.EnumerateFiles(twiki).Order(StringComparer.Ordinal))
                {
                    tar.WriteEntry(file, Path.GetFileName(file));
                    entries.Add(Path.GetFileName(file));
                }
                tar.WriteEntry(figs, FiguresDirectory + "/");
                entries.Add(FiguresDirectory + "/");
                if (includeFigures)
                    foreach (var file in Directory.EnumerateFiles(figs).Order(StringComparer.Ordinal))
                    {
                        var entry = FiguresDirectory + "/" + Path.GetFileName(file);
                        tar.WriteEntry(file, entry);
                        entries.Add(entry);
                    }
            }
            File.Move(temp, tarball, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        var text = Text(number, InputDirectory(runDirectory), Path.GetFullPath(runDirectory), PixelTable.ReadCompleteness(merged));
        return new TwikiResult(number, twiki, tarball, entries, text, warnings);
    }

    /// <summary>The TWiki block of Run.sh -twiki, with GainCal's file names; a partial run says so first and names its gaps.</summary>
    public static string Text(uint run, string? inputDirectory, string runDirectory, RunCompleteness? completeness = null) =>
        $"---++++ Run {run}\n" +
        (completeness is { Partial: true } c
            ? $"   * %RED%{c.Headline()}%ENDCOLOR%\n" + string.Concat(c.Lines().Select(l => $"      * {l}\n"))
            : "") +
        $"   * DMP Files : {inputDirectory ?? "(not recorded: no config.json with an input directory in the run directory)"}\n" +
        $"   * Merged Analyzed File : {Path.Combine(runDirectory, PixelTable.MergedFileName)}\n" +
        $"   * PDF summary : [[%ATTACHURL%/{PdfName(run)}][{PdfName(run)}]]\n" +
        $"   * TAR file containing PDF + summary data + logs : [[%ATTACHURL%/{TarballName(run)}][{TarballName(run)}]]\n" +
        $"   * Payloads & summaries : {runDirectory}\n";

    private static uint FindRun(string summary)
    {
        var runs = Directory.GetFiles(summary, "summary_Run*.json")
            .Select(f => Path.GetFileNameWithoutExtension(f)["summary_Run".Length..])
            .Select(s => uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? (uint?)r : null)
            .OfType<uint>().Distinct().ToList();
        return runs.Count switch
        {
            1 => runs[0],
            0 => throw new FileNotFoundException($"{summary}: no summary_Run<RUN>.json; run `gaincal summary` first"),
            _ => throw new InvalidDataException($"{summary}: summaries of several runs ({string.Join(", ", runs)}); give --run"),
        };
    }

    private static uint ReadRun(string data)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(data));
            return doc.RootElement.GetProperty("run").GetUInt32();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{data}: not a GainCal summary data file: {e.Message}", e);
        }
    }

    /// <summary>The input (dump) directory recorded by `gaincal create` in config.json, as run.py's "indir".</summary>
    private static string? InputDirectory(string runDirectory)
    {
        var config = Path.Combine(runDirectory, "config.json");
        if (!File.Exists(config)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(config));
            foreach (var key in new[] { "indir", "inputDirectory", "input" })
                if (doc.RootElement.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String) return v.GetString();
        }
        catch (JsonException)
        {
            return null;
        }
        return null;
    }
}
