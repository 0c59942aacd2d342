using System.CommandLine;
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
        var setupOptions = new SetupOptions();
        var command = new Command("calibrate",
            "Calibrate one FED locally: read its dump, fit every pixel as the reference's doFits does, write the per-pixel Parquet table.")
        {
            dump, output, threads,
        };
        setupOptions.AddTo(command);
        command.SetAction(parsed =>
        {
            var setup = setupOptions.Read(parsed);
            return Run(parsed.GetValue(dump)!.FullName, parsed.GetValue(output)!.FullName, setup, parsed.GetValue(threads), Console.Out);
        });
        return command;
    }

    public static int Run(string dumpPath, string outputDirectory, FedCalibrationSetup setup, int fitThreads, TextWriter output)
    {
        var clock = Stopwatch.StartNew();
        // Both checked before the dump is read, so that a wrong -o costs no calibration.
        CliPaths.InputFile(dumpPath, "dump file");
        var layout = new RunLayout(CliPaths.OutputDirectory(outputDirectory));
        CliPaths.OutputDirectory(layout.FedDirectory);
        FedCalibrationOutcome outcome;
        using (var bar = new TerminalProgress(Path.GetFileName(dumpPath)))
        {
            var progress = new SynchronousProgress<FedPipelineProgress>(p =>
                bar.Update(p.Fraction, $"{p.BytesRead / 1e6:F0}/{p.Length / 1e6:F0} MB, {p.PatternsFitted} patterns fitted"));
            outcome = new FedPipeline(setup, new FedPipelineOptions { FitThreads = fitThreads }).Run(dumpPath, progress);
        }
        // Named by the FED of the fragment headers even when no pixel answered: a dead FED must show up under its own id.
        var tablePath = outcome.Write(layout);
        clock.Stop();
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(outcome.Report);
        output.WriteLine(outcome.Table.Summary());
        output.WriteLine(string.Create(c, $"fitted {outcome.PixelsFitted:N0} pixels in {clock.Elapsed.TotalSeconds:F2} s, read {outcome.Progress.BytesRead / 1e6:F1} MB; peak RSS {PeakRss.Megabytes():F0} MB; CPU {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F2} s"));
        output.WriteLine($"wrote {tablePath}");
        // A dump longer than the pattern's sequence was almost always taken with another pattern: its fits mean little.
        if (outcome.Progress.Events > setup.Pattern.ExpectedEvents)
            Console.Error.WriteLine(string.Create(c,
                $"gaincal: warning: {dumpPath} has {outcome.Progress.Events:N0} events but the calibration pattern covers {setup.Pattern.ExpectedEvents:N0}; the rest were not used: was the run taken with another pattern (--pattern)?"));
        return 0;
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
