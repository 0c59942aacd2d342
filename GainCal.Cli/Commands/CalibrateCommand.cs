using System.CommandLine;
using GainCal.Operations;
using System.Diagnostics;
using System.Globalization;
using GainCal.Calibration;
using GainCal.Results;

namespace GainCal.Cli.Commands;

/// <summary>`gaincal calibrate`: the reference's local single-FED run.</summary>
internal static class CalibrateCommand
{
    public static Command Create()
    {
        var dump = new Argument<FileInfo>("dump") { Description = "The FED's calibration dump, GainCalibration_<FED>_<RUN>.dmp" };
        var output = new Option<DirectoryInfo>("--output", "-o")
        { Description = "Output directory; the FED's table is written to <dir>/fed/<FED>.parquet and its report to <dir>/fed/<FED>.txt", Required = true };
        var threads = new Option<int>("--fit-threads")
        {
            Description = "Threads fitting completed patterns while the dump is read, >= 1 (default: cores - 1, at least 1)",
            CustomParser = r => CliValues.Int(r, "--fit-threads", min: 1),
        };
        var decoders = new Option<int>("--decoders")
        {
            Description = "Readers decoding the dump, each owning every n-th pattern and reading the whole dump, >= 1 (default: one per two cores, 1 to 4)",
            CustomParser = r => CliValues.Int(r, "--decoders", min: 1),
        };
        var strict = new Option<bool>("--strict")
        { Description = $"Exit with code {StrictExitCode} when the FED ends with warnings (dump not read whole and clean); the table is written either way" };
        var realign = new Option<bool>("--realign-events")
        {
            Description = "Beyond the reference: place every event on the calibration sequence by its L1ID, so that a missing event " +
                          "leaves a hole instead of shifting every later event onto the wrong VCal point (default: reading order, as the reference)",
        };
        var limits = new WarningLimitOptions();
        var setupOptions = new SetupOptions();
        var command = new Command("calibrate",
            "Calibrate one FED locally: read its dump, fit every pixel as the reference's doFits does, write the per-pixel Parquet table. " +
            "Warnings (missing events, L1ID gaps, resyncs, invalid or off-pattern hits, error words, links that do not fit the cabling) " +
            $"go to stderr and into <dir>/fed/<FED>.txt; exit code 0, or {StrictExitCode} with --strict when there was a warning.")
        {
            dump, output, threads, decoders, strict, realign,
        };
        limits.AddTo(command);
        setupOptions.AddTo(command);
        command.SetAction(parsed =>
        {
            var setup = setupOptions.Read(parsed) with { RealignEvents = parsed.GetValue(realign) };
            return Run(parsed.GetValue(dump)!.FullName, parsed.GetValue(output)!.FullName, setup,
                new FedPipelineOptions { FitThreads = parsed.GetValue(threads), Decoders = parsed.GetValue(decoders), Warnings = limits.Read(parsed) },
                Console.Out, parsed.GetValue(strict));
        });
        return command;
    }

    /// <summary>`calibrate --strict` on a FED that ended with warnings.</summary>
    public const int StrictExitCode = ExitCodes.Warnings;

    public static int Run(string dumpPath, string outputDirectory, FedCalibrationSetup setup, FedPipelineOptions? options, TextWriter output,
        bool strict = false)
    {
        var clock = Stopwatch.StartNew();
        // Process start to here: runtime start, command-line parsing, the cabling map and the JIT of all that.
        var startUp = DateTime.Now - Process.GetCurrentProcess().StartTime;
        // Both checked before the dump is read, so that a wrong -o costs no calibration.
        CliPaths.InputFile(dumpPath, "dump file");
        var layout = new RunLayout(CliPaths.OutputDirectory(outputDirectory));
        CliPaths.OutputDirectory(layout.FedDirectory);
        FedCalibrationOutcome outcome;
        using (var bar = new TerminalProgress(Path.GetFileName(dumpPath)))
        {
            var progress = new SynchronousProgress<FedPipelineProgress>(p =>
                bar.Update(p.Fraction, $"{p.BytesRead / 1e6:F0}/{p.Length / 1e6:F0} MB, {p.PatternsFitted} patterns fitted"));
            outcome = new FedPipeline(setup, options).Run(dumpPath, progress);
        }
        var calibrated = clock.Elapsed;
        // Named by the FED of the fragment headers even when no pixel answered: a dead FED must show up under its own id.
        var tablePath = outcome.Write(layout);
        clock.Stop();
        var c = CultureInfo.InvariantCulture;
        // The report ends with the warnings, the FED's status and the table's summary (also in fed/<FED>.txt).
        output.WriteLine(outcome.Report);
        output.WriteLine(string.Create(c, $"fitted {outcome.PixelsFitted:N0} pixels in {clock.Elapsed.TotalSeconds:F2} s (read, decode, fit and table {calibrated.TotalSeconds:F2} s, " +
            $"writing {(clock.Elapsed - calibrated).TotalSeconds:F2} s; start-up before them {startUp.TotalSeconds:F2} s), read {outcome.Progress.BytesRead / 1e6:F1} MB; peak RSS {PeakRss.Megabytes():F0} MB; CPU {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F2} s"));
        output.WriteLine($"wrote {tablePath}");
        // A dump longer than the pattern's sequence was almost always taken with another pattern: its fits mean little.
        if (outcome.Progress.Events > setup.Pattern.ExpectedEvents)
            Console.Error.WriteLine(string.Create(c,
                $"gaincal: warning: {dumpPath} has {outcome.Progress.Events:N0} events but the calibration pattern covers {setup.Pattern.ExpectedEvents:N0}; the rest were not used: was the run taken with another pattern (--pattern)?"));
        foreach (var warning in outcome.Health.Warnings)
            Console.Error.WriteLine($"gaincal: warning: {warning}");
        return strict && !outcome.Health.Clean ? StrictExitCode : 0;
    }
}

/// <summary>The limits above which `calibrate` warns (a node reads the same from its Warnings settings).</summary>
internal sealed class WarningLimitOptions
{
    readonly Option<int?> _missing = new("--warn-missing-events")
    { Description = "Missing events (truncation, L1ID gaps) tolerated without a warning (default 0)" };
    readonly Option<int?> _duplicates = new("--warn-duplicates")
    { Description = "Events repeating or going back in L1ID tolerated (default 0)" };
    readonly Option<int?> _resyncs = new("--warn-resyncs")
    { Description = "Resynchronisations (words skipped to find an SLink header) tolerated (default 0)" };
    readonly Option<double?> _invalid = new("--warn-invalid-fraction")
    { Description = "Fraction of pixel words with an invalid address tolerated (default 0.0001)" };
    readonly Option<double?> _offPattern = new("--warn-off-pattern-fraction")
    { Description = "Fraction of pixel words off the injected pattern tolerated (default 0.01)" };
    readonly Option<double?> _errors = new("--warn-error-words")
    { Description = "Error words (ROC 25, FIFO full, timeout, TBM error, ENE) per event tolerated (default 0.01)" };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { _missing, _duplicates, _resyncs, _invalid, _offPattern, _errors }) command.Options.Add(o);
    }

    public FedWarningLimits Read(ParseResult parsed)
    {
        var d = FedWarningLimits.Default;
        var limits = new FedWarningLimits
        {
            MissingEvents = parsed.GetValue(_missing) ?? d.MissingEvents,
            Duplicates = parsed.GetValue(_duplicates) ?? d.Duplicates,
            Resyncs = parsed.GetValue(_resyncs) ?? d.Resyncs,
            InvalidAddressFraction = parsed.GetValue(_invalid) ?? d.InvalidAddressFraction,
            OffPatternFraction = parsed.GetValue(_offPattern) ?? d.OffPatternFraction,
            ErrorWordsPerEvent = parsed.GetValue(_errors) ?? d.ErrorWordsPerEvent,
        };
        if (limits.Problem() is { } problem) throw new ArgumentException($"--warn-*: {problem}");
        return limits;
    }
}

/// <summary>IProgress that reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool and draw out of order).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

internal static class PeakRss
{
    /// <summary>Peak resident set size of this process (VmHWM), in MB.</summary>
    public static double Megabytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return double.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
        return Process.GetCurrentProcess().PeakWorkingSet64 / 1e6;
    }
}
