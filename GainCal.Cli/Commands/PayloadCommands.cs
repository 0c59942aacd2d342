using GainCal.Operations;
using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Globalization;
using GainCal.Payloads;
using GainCal.Payloads.Conditions;
using GainCal.Results;
using GainCal.Storage;

namespace GainCal.Cli.Commands;

/// <summary><c>gaincal payload</c>: the reference's <c>run.py payload RUN YEAR VERSION</c>, and <c>payload inspect</c>.</summary>
internal static class PayloadCommands
{
    /// <summary>Exit code of a payload refused because its run is partial (the merged table lacks FEDs or holds warned
    /// ones) and --allow-missing was not given: distinct from 1, an error.</summary>
    public const int PartialRunRefused = ExitCodes.PartialRun;

    public static Command Create()
    {
        var input = new Argument<string>("input")
        {
            Description = "A run number (with --run-dir), a results table (.parquet) or a CSV with columns detid,row,col,status,gain,pedestal (module coordinates; the CSV of `gaincal export` is read by its module_row,module_col); each pixel once",
        };
        var year = new Argument<int>("year") { Description = "Year in the tag name, e.g. 2025" };
        var version = new Argument<int>("version") { Description = "Version in the tag name, e.g. 0 for _v0" };
        var output = new Option<string?>("--output", "-o") { Description = "Directory for the .db files (default: <run-dir>/Payload_Run<RUN> for a run, else the current directory)" };
        var kinds = new Option<string>("--kinds", "-k")
        {
            Description = "Payload classes to write, comma-separated: offline, hlt, full (run.py writes offline and hlt)",
            DefaultValueFactory = _ => "offline,hlt",
        };
        var runDir = new Option<string?>("--run-dir") { Description = "Run directory holding GainCalibration.parquet, when INPUT is a run number" };
        var destination = new Option<string>("--destination")
        {
            Description = "Upload metadata (NAME.txt beside each NAME.db, read by uploadConditions.py): destinationDatabase, prod or prep",
            DefaultValueFactory = _ => "prep",
        };
        var since = new Option<ulong?>("--since") { Description = "Upload metadata: first run of validity (default: null, the file's IOV; the upload service may move it to the next safe run)" };
        var userText = new Option<string?>("--user-text") { Description = "Upload metadata: the request's description (default: what was calibrated from which input)" };
        var allowMissing = new Option<bool>("--allow-missing")
        {
            Description = $"Write the payloads of a partial run (its merged table records failed FEDs, FEDs without a dump or FEDs with warnings) " +
                $"instead of refusing it (exit code {PartialRunRefused}); the modules filled with default values are then listed in the output " +
                "and in the upload metadata's userText",
        };

        var command = new Command("payload", "Write the gain payloads (SiPixelGainCalibrationOffline / ForHLT / full) of a calibration as conditions SQLite files, tag SiPixelGainCalibration_<YEAR>_v<VERSION>_<kind>")
        {
            input, year, version,
        };
        command.Options.Add(output);
        command.Options.Add(kinds);
        command.Options.Add(runDir);
        command.Options.Add(destination);
        command.Options.Add(since);
        command.Options.Add(userText);
        command.Options.Add(allowMissing);
        var node = RunOutput.NodeOption("asked for the run's output directory when INPUT is a run number and --run-dir is not given");
        command.Options.Add(node);
        command.SetAction(parsed =>
        {
            var o = parsed.InvocationConfiguration.Output;
            var e = parsed.InvocationConfiguration.Error;
            try
            {
                var wanted = ParseKinds(parsed.GetValue(kinds)!);
                var (path, defaultOut) = ResolveInput(parsed.GetValue(input)!, parsed.GetValue(runDir), parsed.GetValue(node)!);
                int y = parsed.GetValue(year), v = parsed.GetValue(version);
                if (y <= 0 || v < 0) throw new ArgumentException($"year must be positive and version non-negative (got {y}, {v})");
                var outDir = parsed.GetValue(output) ?? defaultOut;
                var database = UploadMetadata.Database(parsed.GetValue(destination)!);

                var completeness = path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) ? PixelTable.ReadCompleteness(path) : null;
                if (completeness is { Partial: true } refused && !parsed.GetValue(allowMissing))
                {
                    e.WriteLine($"gaincal payload: {path}: {refused.Headline()} ({string.Join("; ", refused.Lines())}); " +
                                "no payload written: resubmit the FEDs and merge again, or give --allow-missing to fill their modules with default values");
                    return PartialRunRefused;
                }
                o.WriteLine($"reading {path}");
                var pixels = PayloadInput.Load(path);
                o.WriteLine($"  {pixels.PixelCount:N0} pixels in {pixels.Modules.Count} modules");
                var defaulted = completeness is { Partial: true } ? (completeness.AbsentModules ?? []).Where(m => !pixels.Contains(m)).Order().ToArray() : [];
                if (completeness is { Partial: true } partial)
                {
                    o.WriteLine($"  {partial.Headline()}; written anyway (--allow-missing)");
                    foreach (var line in partial.Lines()) o.WriteLine($"  {line}");
                    o.WriteLine($"  {defaulted.Length} modules of the failed FEDs and FEDs without a dump filled with default values (detids): {string.Join(' ', defaulted)}");
                }
                int lastShown = 0;
                var progress = new SyncProgress<int>(done =>
                {
                    int percent = done * 100 / GainCal.Detector.DetId.AllModules.Count;
                    if (percent >= lastShown + 25) { lastShown = percent - percent % 25; e.WriteLine($"  modules encoded: {done}/{GainCal.Detector.DetId.AllModules.Count} ({lastShown}%)"); }
                });
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var build = GainPayloadBuilder.Build(pixels, wanted, progress: progress);
                e.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  encoded in {clock.Elapsed.TotalSeconds:F1} s"));
                WriteSummary(o, build.Summary);
                clock.Restart();
                // Payloads bound for an XRootD output are made in a local staging directory, then published there.
                var publishTo = StorageByLocation.IsRemote(outDir) ? outDir : null;
                var staging = publishTo is null ? null : Directory.CreateTempSubdirectory("gaincal-payload-");
                try
                {
                    var files = GainPayloadFile.WriteAll(build, y, v, staging?.FullName ?? outDir);
                    e.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  serialized, hashed and stored in {clock.Elapsed.TotalSeconds:F1} s"));
                    foreach (var file in files)
                    {
                        var kind = wanted.First(k => Path.GetFileNameWithoutExtension(file).EndsWith("_" + k.Suffix(), StringComparison.Ordinal));
                        var p = build.Payloads[kind];
                        var tag = Path.GetFileNameWithoutExtension(file);
                        o.WriteLine($"wrote {file}: tag {tag}, {p.Registry.Count} modules, {p.DataLength:N0} bytes ({p.DataLength / Math.Max(1, p.Registry.Count):N0} per module), {new FileInfo(file).Length:N0} bytes on disk, IOV since 1");
                        var text = parsed.GetValue(userText) ?? $"GainCal gain calibration, {kind.ObjectType()} of {p.Registry.Count} modules from {(StorageByLocation.IsRemote(path) ? path : Path.GetFullPath(path))}";
                        if (completeness is { Partial: true } gaps)
                            text += $". PARTIAL RUN, written with --allow-missing: {string.Join("; ", gaps.Lines())}; " +
                                    $"{defaulted.Length} modules of those FEDs filled with default values (detids): {string.Join(' ', defaulted)}";
                        var metadata = new UploadMetadata(database, [tag], tag, parsed.GetValue(since), text).WriteBeside(file);
                        o.WriteLine($"wrote {metadata}: upload metadata for uploadConditions.py ({database}, since {(parsed.GetValue(since)?.ToString(CultureInfo.InvariantCulture) ?? "from the file")})");
                    }
                    if (publishTo is not null)
                        foreach (var copied in StorageByLocation.Default.CopyDirectory(staging!.FullName, publishTo))
                            o.WriteLine($"copied to {copied}");
                }
                finally
                {
                    staging?.Delete(recursive: true);
                }
                return 0;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException or KeyNotFoundException)
            {
                e.WriteLine($"gaincal payload: {ex.Message}");
                return 1;
            }
        });
        command.Subcommands.Add(CreateInspect());
        command.Subcommands.Add(CreateCompare());
        return command;
    }

    private static Command CreateCompare()
    {
        var a = new Argument<string>("a.db") { Description = "First gain payload conditions file" };
        var b = new Argument<string>("b.db") { Description = "Second gain payload conditions file, of the same class" };
        var command = new Command("compare", "Compare two gain payload files module by module: class and archive version found, encoding, modules only in one, modules whose bytes differ and the largest decoded pedestal and gain differences")
        {
            a, b,
        };
        command.Options.Add(new HelpOption { Action = new SubcommandHelp() });
        command.SetAction(parsed =>
        {
            var o = parsed.InvocationConfiguration.Output;
            try
            {
                var fa = GainPayloadFile.Read(parsed.GetValue(a)!);
                var fb = GainPayloadFile.Read(parsed.GetValue(b)!);
                foreach (var f in new[] { fa, fb })
                    o.WriteLine($"{f.Path}: tag {f.Tag.Name}, class {f.Tag.ObjectType}, boost archive version {f.ArchiveVersion}, written by {f.WrittenBy}, {f.Payload.Registry.Count} modules, payload {f.PayloadHash}");
                if (fa.Payload.Kind != fb.Payload.Kind)
                    throw new InvalidDataException($"{fb.Path}: holds {fb.Tag.ObjectType}, {fa.Path} holds {fa.Tag.ObjectType}: payloads of different classes do not compare");
                foreach (var line in PayloadInspector.Compare(fa.Payload, fb.Payload)) o.WriteLine(line);
                return 0;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException)
            {
                parsed.InvocationConfiguration.Error.WriteLine($"gaincal payload compare: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

    private static Command CreateInspect()
    {
        var file = new Argument<string>("file.db") { Description = "A gain payload conditions file (SiPixelGainCalibrationOffline / ForHLT / full) in CMSSW's format: written by 'gaincal payload', or exported from CMS" };
        var tag = new Option<string?>("--tag", "-t") { Description = "The tag to show when the file holds several" };
        var detid = new Option<uint?>("--detid", "-d") { Description = "Show this module's bytes (hex) and decoded pixels" };
        var column = new Option<int?>("--col") { Description = "With --detid: print the decoded pixels of this column only (default: column 0)" };
        var csv = new Option<string?>("--csv") { Description = "Write decoded per-pixel values (the --detid module, else every module) to this CSV file" };
        var limit = new Option<int>("--limit") { Description = "Registry lines to print (0 = all)", DefaultValueFactory = _ => 20 };
        var command = new Command("inspect", "Show what a gain payload file holds: tag, IOV, encoding, per-module registry, encoded bytes and decoded pedestal and gain")
        {
            file,
        };
        command.Options.Add(detid);
        command.Options.Add(column);
        command.Options.Add(csv);
        command.Options.Add(limit);
        command.Options.Add(tag);
        command.Options.Add(new HelpOption { Action = new SubcommandHelp() });
        command.SetAction(parsed =>
        {
            var o = parsed.InvocationConfiguration.Output;
            try
            {
                if (parsed.GetValue(column) is { } c && (parsed.GetValue(detid) is null || (uint)c >= PayloadKinds.ModuleColumns))
                    throw new ArgumentException($"--col {c}: give a module column 0..{PayloadKinds.ModuleColumns - 1} together with --detid");
                var f = GainPayloadFile.Read(parsed.GetValue(file)!, parsed.GetValue(tag));
                PayloadInspector.Header(o, f);
                var id = parsed.GetValue(detid);
                if (id is { } d)
                {
                    if (!f.Payload.TryGetModule(d, out var entry)) throw new KeyNotFoundException($"{f.Path}: detid {d} is not in the payload");
                    PayloadInspector.Module(o, f.Payload, entry, parsed.GetValue(column) ?? 0);
                }
                else
                    PayloadInspector.Registry(o, f.Payload, parsed.GetValue(limit));
                if (parsed.GetValue(csv) is { } csvPath)
                {
                    int rows = PayloadInspector.WriteCsv(csvPath, f.Payload, id);
                    o.WriteLine($"wrote {csvPath}: {rows:N0} pixels");
                }
                return 0;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException or KeyNotFoundException)
            {
                parsed.InvocationConfiguration.Error.WriteLine($"gaincal payload inspect: {ex.Message}");
                return 1;
            }
        });
        return command;
    }

    internal static PayloadKind[] ParseKinds(string text)
    {
        var kinds = new List<PayloadKind>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!PayloadKinds.TryParse(part, out var k)) throw new ArgumentException($"unknown payload kind '{part}' (use offline, hlt, full)");
            if (!kinds.Contains(k)) kinds.Add(k);
        }
        if (kinds.Count == 0) throw new ArgumentException("--kinds names no payload kind (use offline, hlt, full)");
        return [.. kinds];
    }

    /// <summary>A run number goes through its run directory's merged table; anything else is a file.</summary>
    private static (string Path, string DefaultOutput) ResolveInput(string input, string? runDir, string node)
    {
        if (!File.Exists(input) && uint.TryParse(input, NumberStyles.None, CultureInfo.InvariantCulture, out var run))
        {
            runDir = RunOutput.Directory(run, runDir, node, "give --run-dir");
            var table = new RunLayout(runDir).MergedTable;
            if (StorageByLocation.Default.Stat(table) is null) throw new FileNotFoundException($"{table}: no merged results table for run {run} (run hadd first)");
            return (table, StorageByLocation.Combine(runDir, $"Payload_Run{run}"));
        }
        if (StorageByLocation.IsRemote(input)) return (XRootDUrl.Parse(input).ToString(), Directory.GetCurrentDirectory());
        if (!File.Exists(input)) throw new FileNotFoundException($"{input}: no such file (expected a run number, a .parquet table or a .csv)");
        return (input, Directory.GetCurrentDirectory());
    }

    private static void WriteSummary(TextWriter o, UploaderSummary s)
    {
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  mean gain {s.MeanGain:G7} e-/ADC, mean pedestal {s.MeanPedestal:G7} ADC (over pixels with gain > 0, within the uploader's histogram ranges)"));
        o.WriteLine($"  {s.ModulesEmpty} modules were empty and now have pixels filled with default values.");
        o.WriteLine($"  {s.ModulesWithDefaultPixels} modules have pixels filled with default values.");
        o.WriteLine($"  {s.ModulesWithDeadPixels} modules have pixels flagged as dead.");
        o.WriteLine($"  {s.ModulesWithDefaultColumns} modules have columns filled with default values.");
        o.WriteLine($"  {s.ModulesWithDeadColumns} modules have columns filled with dead values.");
        o.WriteLine($"  modules {s.Modules}, channels {s.Channels:N0}; modules with data {s.ModulesWithData}, missing {s.ModulesMissing}");
        o.WriteLine($"  pixels with a fit {s.PixelsWithFit:N0}, without {s.PixelsWithoutFit:N0}; good fits {s.PixelsGoodFit:N0} ({Results.GoodFit.Definition})");
        o.WriteLine($"  kept as measured (status > 0 and inside the uploader's ranges) {s.PixelsGood:N0}, substituted {s.PixelsSubstituted:N0}");
        if (s.UnknownModules.Count > 0)
            o.WriteLine($"  warning: {s.UnknownModules.Count} input detids are not modules of the detector (used for the means only), e.g. {string.Join(", ", s.UnknownModules.Take(5))}");
    }

    /// <summary>
    /// Help of a subcommand without its parent's arguments: System.CommandLine puts them into the usage line
    /// (`payload &lt;input&gt; &lt;year&gt; &lt;version&gt; inspect`), but the subcommand is typed without them.
    /// </summary>
    private sealed class SubcommandHelp : SynchronousCommandLineAction
    {
        private readonly HelpAction _help = new();

        public override int Invoke(ParseResult parseResult)
        {
            var parentArguments = parseResult.CommandResult.Command.Parents.OfType<Command>().SelectMany(c => c.Arguments).ToList();
            foreach (var a in parentArguments) a.Hidden = true;
            try
            {
                return _help.Invoke(parseResult);
            }
            finally
            {
                foreach (var a in parentArguments) a.Hidden = false;
            }
        }
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and print out of order).</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
