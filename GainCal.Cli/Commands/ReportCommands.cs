using System.CommandLine;
using System.Globalization;
using GainCal.Reports;
using GainCal.Results;
using GainCal.Storage;

namespace GainCal.Cli.Commands;

/// <summary>The run products: `gaincal summary`, `gaincal twiki`, `gaincal compare` (run.py summary / twiki, compare_gain_calib).</summary>
internal static class ReportCommands
{
    public static IEnumerable<Command> Create() => [Summary(), Twiki(), Compare(), History()];

    private static Command Summary()
    {
        var input = new Argument<string>("table-or-run")
        {
            Description = "A results table (.parquet, per FED or merged), or a run number together with --run-dir",
        };
        var output = new Option<DirectoryInfo?>("--output", "-o")
        {
            Description = "Directory for the PDF, plots, text and logs (default: summary/ next to the table)",
        };
        var runDir = new Option<DirectoryInfo?>("--run-dir")
        {
            Description = $"The run's output directory: reads its per-FED tables fed/<FED>.parquet one at a time, or else {PixelTable.MergedFileName}",
        };
        var pdfOnly = new Option<bool>("--pdf-only", "-p")
        {
            Description = "Only write the PDF again from the stored summary (summary_Run<RUN>.json, its figure list and PNGs in the " +
                "output directory), without reading the tables (run.py summary -p)",
        };
        var reference = new Option<string?>("--reference")
        {
            Description = "A reference calibration to compare with (a table, run output directory, summary_Run<RUN>.json or run number): " +
                "layers, disks/rings and modules whose mean gain, pedestal or bad-fit fraction moved beyond the thresholds are listed in the PDF. " +
                "Without it, a run's summary shows the drift check its merge made (GainCalibration.drift.json)",
        };
        var gainDrift = new Option<double>("--drift-gain") { Description = "Relative gain change beyond which --reference lists a part or module", DefaultValueFactory = _ => DriftThresholds.Default.Gain };
        var pedestalDrift = new Option<double>("--drift-pedestal") { Description = "Pedestal change (ADC) beyond which --reference lists it", DefaultValueFactory = _ => DriftThresholds.Default.Pedestal };
        var badDrift = new Option<double>("--drift-bad-fits") { Description = "Change of the bad-fit fraction beyond which --reference lists it", DefaultValueFactory = _ => DriftThresholds.Default.BadFitFraction };
        var node = RunOutput.NodeOption("asked for the run's output directory when a run number is given without --run-dir");
        var command = new Command("summary",
            "Summarise a calibration as run.py summary did: writes gain_summary.pdf and its PNG plots (fit status per BPix layer and " +
            "FPix disk/ring; per-pixel distributions and the gain/pedestal/error correlations; for each of the 13 quantities of the " +
            "reference (Gain, Pedestal, ErrorGain, ErrorPedestal, frac_gain_high, GainSaturate, GainDynamicRange, GainLowPoint, " +
            "GainHighPoint, GainNPoints, GainChi2NDF, GainChi2Prob, GainFitResult) and the bad-fit fraction a SUB_ plot per layer/disk/ring, " +
            "a SUM_ plot per module and MAP_ maps), the modules and ROCs with the most failed fits, Summary_Run<RUN>.txt with the " +
            "reference's numbers, the badFitsROCs/highGainROCs logs and summary_Run<RUN>.json.")
        {
            input, output, runDir, pdfOnly, reference, gainDrift, pedestalDrift, badDrift, node,
        };
        command.SetAction(parsed =>
        {
            var cli = new ReportCli("summary");
            if (parsed.GetValue(pdfOnly))
            {
                var (directory, run) = StoredSummary(parsed.GetValue(input)!, parsed.GetValue(runDir), parsed.GetValue(output), parsed.GetValue(node)!);
                var rewritten = SummaryReport.RewritePdf(directory, run, step => cli.Progress(step));
                cli.Progress("done");
                Console.WriteLine($"PDF:   {rewritten.Pdf} ({rewritten.Pages} pages, from {rewritten.Plots.Count} stored plots)");
                return 0;
            }
            var thresholds = new DriftThresholds(parsed.GetValue(gainDrift), parsed.GetValue(pedestalDrift), parsed.GetValue(badDrift));
            if (!(thresholds.Gain > 0 && thresholds.Pedestal > 0 && thresholds.BadFitFraction > 0)) throw new ArgumentException("drift thresholds must be positive");
            var referenceSummary = parsed.GetValue(reference) is { } r ? AnySummary(r, parsed.GetValue(node)!, cli) : null;
            var (tables, expectedRun, source, home) = ResolveTables(parsed.GetValue(input)!, parsed.GetValue(runDir), parsed.GetValue(node)!);
            var target = parsed.GetValue(output)?.FullName ?? StorageByLocation.Combine(home, TwikiPackage.SummaryDirectory);
            var completeness = CompletenessOf(parsed.GetValue(input)!, expectedRun, home);
            var mergeDrift = MergeDriftOf(expectedRun, home);
            if (!StorageByLocation.IsRemote(target))
            {
                WriteSummary(tables, expectedRun, source, target, cli, referenceSummary, thresholds, completeness, mergeDrift);
                return 0;
            }
            // The PDF and plots are made in a local staging directory, then published beside the run's products.
            var staging = Directory.CreateTempSubdirectory("gaincal-summary-");
            try
            {
                WriteSummary(tables, expectedRun, source, staging.FullName, cli, referenceSummary, thresholds, completeness, mergeDrift);
                var copied = StorageByLocation.Default.CopyDirectory(staging.FullName, target);
                Console.WriteLine($"copied: {copied.Count} files to {target}");
            }
            finally
            {
                staging.Delete(recursive: true);
            }
            return 0;
        });
        return command;
    }

    /// <summary>Summarises the tables into <paramref name="directory"/> and prints where everything went.</summary>
    internal static SummaryOutputs WriteSummary(IReadOnlyList<string> tables, uint? expectedRun, string source, string directory, ReportCli cli,
        RunSummary? reference = null, DriftThresholds? thresholds = null, RunCompleteness? completeness = null, RunDrift? mergeDrift = null)
    {
        var summary = Summarise(tables, expectedRun, cli);
        var drift = reference is null ? mergeDrift : DriftCheck.Compare(summary, reference, thresholds);
        var outputs = SummaryReport.Write(summary, directory, source, step => cli.Progress(step), drift, completeness);
        if (completeness is { Partial: true } c)
            foreach (var line in c.Lines().Prepend(c.Headline())) Console.WriteLine(line);
        foreach (var line in drift?.Lines ?? []) Console.WriteLine($"drift: {line}");
        cli.Progress("done");
        Console.WriteLine($"run {summary.Run}: {summary.Modules} modules, good fits {summary.GoodFitPixels:N0} of {summary.Pixels:N0} pixels " +
            $"({RunSummary.Percent(summary.GoodFitPixels, summary.Pixels):F3} %; {GoodFit.Definition}), {summary.Rocs.Count(x => x.Dead)} dead ROCs");
        Console.WriteLine($"PDF:   {outputs.Pdf} ({outputs.Pages} pages)");
        Console.WriteLine($"text:  {outputs.Text}");
        Console.WriteLine($"data:  {outputs.Data}");
        Console.WriteLine($"plots: {outputs.Plots.Count} PNG files in {directory}");
        Console.WriteLine($"time:  {cli.Elapsed.TotalSeconds:F1} s");
        return outputs;
    }

    /// <summary>The summary directory --pdf-only reads: --output, or summary/ of the run directory or next to the table.</summary>
    private static (string Directory, uint? Run) StoredSummary(string input, DirectoryInfo? runDir, DirectoryInfo? output, string node)
    {
        uint? run = uint.TryParse(input, NumberStyles.None, CultureInfo.InvariantCulture, out var r) && !File.Exists(input) ? r : null;
        if (output is not null) return (output.FullName, run);
        if (run is { } number)
        {
            var home = runDir?.FullName ?? RunOutput.Directory(number, null, node, "give --run-dir or --output");
            return (Path.Combine(home, TwikiPackage.SummaryDirectory), run);
        }
        if (runDir is not null) throw new ArgumentException("--run-dir goes with a run number, not with a table file");
        return (Path.Combine(Path.GetDirectoryName(Path.GetFullPath(input))!, TwikiPackage.SummaryDirectory), null);
    }

    private static Command Twiki()
    {
        var dir = new Argument<DirectoryInfo>("run-output-dir")
        {
            Description = $"The run's output directory, holding {TwikiPackage.SummaryDirectory}/ written by `gaincal summary`",
        };
        var run = new Option<uint?>("--run") { Description = "Run number (default: the one summary/summary_Run<RUN>.json names)" };
        var force = new Option<bool>("--force", "-f") { Description = "Replace an existing twiki/ directory and tarball" };
        var noFigs = new Option<bool>("--without-figs")
        {
            Description = "Leave figs/*.png out of the tarball (run.py's loop skips PNGs, but its recursive tarfile.add of figs/ packs them, so by default they are in)",
        };
        var command = new Command("twiki",
            "Package a run's summary for the TWiki as run.py twiki did: copies the summary PDF (as gain_summary_Run<RUN>.pdf), " +
            "the logs, Summary_Run<RUN>.txt and the summary data into <run-output-dir>/twiki/ (PNGs into twiki/figs/), " +
            "packs it with figs/ into <run-output-dir>/run<RUN>.tar.gz as the reference's tarball ends up, and prints the TWiki text block. " +
            "Like run.py twiki it refuses without the run's merged GainCalibration.parquet (run `gaincal merge` first); it also refuses " +
            "without the summary PDF and data. A missing Summary_Run<RUN>.txt, log or PNG (run.py packs whatever is there) is a warning " +
            "on stderr, and the list of what was packed follows.")
        {
            dir, run, force, noFigs,
        };
        command.SetAction(parsed =>
        {
            var cli = new ReportCli("twiki");
            var result = TwikiPackage.Create(parsed.GetValue(dir)!.FullName, parsed.GetValue(run), parsed.GetValue(force),
                !parsed.GetValue(noFigs), step => cli.Progress(step));
            foreach (var warning in result.Warnings) Console.Error.WriteLine($"gaincal twiki: warning: {warning}");
            int figures = result.TarEntries.Count(e => e.StartsWith(TwikiPackage.FiguresDirectory + "/", StringComparison.Ordinal)) - 1;
            cli.Progress($"{result.Tarball}: {result.TarEntries.Count} entries: " +
                string.Join(", ", result.TarEntries.Where(e => !e.StartsWith(TwikiPackage.FiguresDirectory + "/", StringComparison.Ordinal))) +
                $", {TwikiPackage.FiguresDirectory}/ with {figures} PNGs");
            Console.Write(result.Text);
            return 0;
        });
        return command;
    }

    private static Command Compare()
    {
        var a = new Argument<string>("a") { Description = "Reference run A: a results table (.parquet), or a run number known to the cluster (its merged GainCalibration.parquet)" };
        var b = new Argument<string>("b") { Description = "Run B, compared with A: a results table or a run number" };
        var node = RunOutput.NodeOption("asked for the run's output directory (its merged GainCalibration.parquet) when A or B is a run number");
        var output = new Option<DirectoryInfo?>("--output", "-o") { Description = "Output directory (default: ./Comp_<A>-<B>)" };
        var gain = new Option<double>("--gain-tolerance")
        {
            Description = "Relative gain change above which a layer, disk/ring or module counts as changed",
            DefaultValueFactory = _ => ComparisonTolerances.Default.Gain,
        };
        var pedestal = new Option<double>("--pedestal-tolerance")
        {
            Description = "Pedestal change in ADC above which a part or module counts as changed",
            DefaultValueFactory = _ => ComparisonTolerances.Default.Pedestal,
        };
        var status = new Option<double>("--status-tolerance")
        {
            Description = "Fraction of a part's pixels lost or recovered above which it counts as changed",
            DefaultValueFactory = _ => ComparisonTolerances.Default.Status,
        };
        var command = new Command("compare",
            "Compare two calibrations pixel by pixel (make_ComparisonPlots.cc diff mode, compare_gain_calib.py): status changes " +
            "(recovered, lost, still bad), gain and pedestal differences per pixel, module and BPix layer / FPix disk and ring, " +
            "plots, a PDF and a short verdict naming what changed.")
        {
            a, b, output, gain, pedestal, status, node,
        };
        command.SetAction(parsed =>
        {
            var cli = new ReportCli("compare");
            var tolerances = new ComparisonTolerances(parsed.GetValue(gain), parsed.GetValue(pedestal), parsed.GetValue(status));
            if (!(tolerances.Gain > 0 && tolerances.Pedestal > 0 && tolerances.Status > 0))
                throw new ArgumentException("tolerances must be positive");
            var pathA = RunTable(parsed.GetValue(a)!, parsed.GetValue(node)!);
            var pathB = RunTable(parsed.GetValue(b)!, parsed.GetValue(node)!);
            cli.Progress($"reading {pathA}");
            var tableA = PixelTable.Read(pathA);
            cli.Progress($"reading {pathB}");
            var tableB = PixelTable.Read(pathB);
            var comparison = RunComparison.Compare(tableA, tableB, tolerances, step => cli.Progress(step));
            var directory = parsed.GetValue(output)?.FullName
                ?? Path.Combine(Environment.CurrentDirectory, string.Create(CultureInfo.InvariantCulture, $"Comp_{tableA.Run}-{tableB.Run}"));
            var outputs = ComparisonReport.Write(comparison, directory, pathA, pathB, step => cli.Progress(step));
            cli.Progress("done");
            foreach (var line in comparison.Verdict) Console.WriteLine(line);
            Console.WriteLine($"PDF:  {outputs.Pdf} ({outputs.Pages} pages)");
            Console.WriteLine($"text: {outputs.Text}");
            return 0;
        });
        return command;
    }

    private static Command History()
    {
        var runs = new Argument<string[]>("runs")
        {
            Description = "Two or more runs: merged tables (.parquet), run output directories, summary_Run<RUN>.json files, or run numbers known to the cluster",
            Arity = new ArgumentArity(1, 1000),
        };
        var output = new Option<DirectoryInfo?>("--output", "-o") { Description = "Output directory (default: ./history)" };
        var node = RunOutput.NodeOption("asked for a run's output directory when a run number is given");
        var command = new Command("history",
            "Trends across runs as make_EvolutionPlots.cc drew them: per BPix layer and FPix disk and ring, the mean over the modules " +
            "(error bar: their RMS) of gain, pedestal, plateau, lowest and highest fitted point, number of fitted points and good-fit " +
            "fraction, one point per run. Writes history.csv and HISTORY_<quantity>_<barrel|fpix_ring1|fpix_ring2>.png. A run directory " +
            "with a stored summary (summary/summary_Run<RUN>.json) is read from it, otherwise from its tables (one FED table at a time).")
        {
            runs, output, node,
        };
        command.SetAction(parsed =>
        {
            var cli = new ReportCli("history");
            var summaries = new List<RunSummary>();
            foreach (var item in parsed.GetValue(runs)!)
            {
                var summary = AnySummary(item, parsed.GetValue(node)!, cli);
                if (summaries.Any(x => x.Run == summary.Run)) throw new ArgumentException($"{item}: run {summary.Run} is given twice");
                summaries.Add(summary);
            }
            var points = RunHistory.Of(summaries);
            var directory = parsed.GetValue(output)?.FullName ?? Path.Combine(Environment.CurrentDirectory, "history");
            var files = RunHistory.Write(points, directory);
            cli.Progress("done");
            Console.WriteLine($"{summaries.Count} runs ({string.Join(", ", summaries.Select(x => x.Run).Order())}): {points.Count} points");
            Console.WriteLine($"CSV:   {files[0]}");
            Console.WriteLine($"plots: {files.Count - 1} PNG files in {directory}");
            return 0;
        });
        return command;
    }

    /// <summary>A run's summary (history, drift reference): a stored summary when there is one, else the summary of its tables.</summary>
    private static RunSummary AnySummary(string item, string node, ReportCli cli)
    {
        if (item.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && File.Exists(item)) return SummaryReport.ReadData(item);
        var directory = Directory.Exists(item) ? Path.GetFullPath(item)
            : uint.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var run) && !File.Exists(item)
                ? RunOutput.Directory(run, null, node, "give its output directory or table instead of the run number")
                : null;
        if (directory is null)
        {
            var (tables, _, _, _) = ResolveTables(item, null, node);
            return Summarise(tables, null, cli);
        }
        return RunSummaries.Of(directory, cli.Progress);
    }

    /// <summary>A table path as given, or for a run number the merged table in the run's output directory (from the cluster).</summary>
    private static string RunTable(string input, string node) =>
        !File.Exists(input) && uint.TryParse(input, NumberStyles.None, CultureInfo.InvariantCulture, out var run)
            ? Path.Combine(RunOutput.Directory(run, null, node, "give its results table (.parquet) instead of the run number"), PixelTable.MergedFileName)
            : Path.GetFullPath(input);

    /// <summary>
    /// The tables to summarise and the directory the summary goes under: a table path; or for a run number (its directory
    /// from --run-dir or from the cluster's run registry), the per-FED tables of &lt;run-dir&gt;/fed/ (read one at a
    /// time, so memory stays that of one FED; the merged table is their union) or else &lt;run-dir&gt;/GainCalibration.parquet.
    /// </summary>
    internal static (IReadOnlyList<string> Tables, uint? Run, string Source, string Home) ResolveTables(string input, DirectoryInfo? runDir, string node)
    {
        if (uint.TryParse(input, NumberStyles.None, CultureInfo.InvariantCulture, out var run) && !File.Exists(input))
        {
            runDir ??= new DirectoryInfo(RunOutput.Directory(run, null, node, "give --run-dir"));
            var (tables, source) = RunDirectoryTables(runDir.FullName, run);
            return (tables, run, source, runDir.FullName);
        }
        if (runDir is not null) throw new ArgumentException("--run-dir goes with a run number, not with a table file");
        if (StorageByLocation.IsRemote(input))
        {
            var url = XRootDUrl.Parse(input).ToString();
            return ([url], null, url, StorageByLocation.DirectoryOf(url));
        }
        if (Directory.Exists(input)) throw new ArgumentException($"{input}: is a directory; give a results table (.parquet) or a run number with --run-dir");
        if (!File.Exists(input)) throw new FileNotFoundException($"{input}: no such results table", input);
        var path = Path.GetFullPath(input);
        return ([path], null, path, Path.GetDirectoryName(path)!);
    }

    /// <summary>The drift check the run's merge made against its reference (shown when --reference names no other).</summary>
    internal static RunDrift? MergeDriftOf(uint? run, string home) =>
        run is { } r ? ReferenceSummary.ReadDrift(new RunLayout(home).MergedDrift, r) : null;

    /// <summary>The merge's record of the run's FEDs: for a run number, that of its directory's merged table (if merged);
    /// for a table, the table's own (null for a FED table).</summary>
    internal static RunCompleteness? CompletenessOf(string input, uint? run, string home)
    {
        var table = run is not null ? new RunLayout(home).MergedTable : StorageByLocation.IsRemote(input) ? input : Path.GetFullPath(input);
        return StorageByLocation.Default.Stat(table) is { IsDirectory: false } ? PixelTable.ReadCompleteness(table) : null;
    }

    private static (IReadOnlyList<string> Tables, string Source) RunDirectoryTables(string runDir, uint? run) => RunSummaries.Tables(runDir, run);

    private static RunSummary Summarise(IReadOnlyList<string> tables, uint? expectedRun, ReportCli cli) =>
        RunSummaries.Summarise(tables, expectedRun, cli.Progress);
}
