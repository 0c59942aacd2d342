using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GainCal.Calibration;
using GainCal.Detector;
using GainCal.Reports;
using GainCal.Results;
using GainCal.Storage;

namespace GainCal.Cli.Commands;

/// <summary>`gaincal pixel`: one pixel's curve, read back from its pattern's window of the dump (make_gaincurves.C).</summary>
internal static class PixelCommand
{
    public static Command Create()
    {
        var directory = new Argument<string>("output-dir")
        {
            Description = "A run's output directory, or the -o directory of `gaincal calibrate` (a path or a root:// URL): holds fed/<FED>.patterns, the pattern index written with the FED's table",
        };
        var address = new Argument<string>("pixel")
        {
            Description = "FED/link/ROC/row/col (online: ROC on the link, row 0-79, column 0-51) or DetId/row/col (module row 0-159, column 0-415)",
        };
        var dump = new Option<string?>("--dump")
        {
            Description = "The FED's dump, a path or a root:// URL (default: the location the pattern index recorded, else <indir>/GainCalibration_<FED>_<RUN>.dmp from the run's config.json)",
        };
        var output = new Option<DirectoryInfo?>("--output", "-o")
        { Description = "Where the PNG, CSV and text go (default: <output-dir>/pixels; ./pixels for an output directory on XRootD)" };
        var setupOptions = new SetupOptions();
        var command = new Command("pixel",
            "Show one pixel's calibration curve: its mean ADC and error per VCal point, which points the reference's selection kept, " +
            "the fitted line, plateau, status and chi2, as pixel_<FED>_<link>_<ROC>_<row>_<col>.png, .csv and .txt (also printed). " +
            "Only the pixel's pattern window is read from the dump, found through fed/<FED>.patterns; the fit is the calibration's own.")
        {
            directory, address, dump, output,
        };
        setupOptions.AddTo(command);
        command.SetAction(parsed =>
        {
            var clock = Stopwatch.StartNew();
            var home = Located(parsed.GetValue(directory)!);
            if (StorageByLocation.Default.Stat(home) is not { IsDirectory: true }) throw new DirectoryNotFoundException($"{home}: no such output directory");
            var config = RunConfig.Read(home);
            var setup = setupOptions.Read(parsed);
            if (parsed.GetValue(setupOptions.VCal) is null && config?.VCalFile is { } vcalFile && File.Exists(vcalFile))
                setup = setup with { VCal = VCalTable.Load(vcalFile) };
            var pixel = PixelCurveReader.Parse(parsed.GetValue(address)!, setup);
            var prepared = clock.Elapsed;
            var (curve, run) = PixelCurveReader.ReadFromOutput(home, config?.InputDirectory, setup, pixel,
                parsed.GetValue(dump) is { } given ? Located(given) : null);
            var read = clock.Elapsed - prepared;
            var outputs = PixelCurveReport.Write(curve,
                parsed.GetValue(output)?.FullName ?? Path.Combine(StorageByLocation.IsRemote(home) ? Environment.CurrentDirectory : home, "pixels"), run);
            Console.Write(outputs.Text);
            Console.WriteLine($"PNG:  {outputs.Png}");
            Console.WriteLine($"CSV:  {outputs.Csv}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"time: {prepared.TotalMilliseconds:F0} ms for the cabling map and pattern, {read.TotalMilliseconds:F0} ms to read the index and the pattern window and fit, {clock.Elapsed.TotalMilliseconds:F0} ms in all with the plot"));
            return 0;
        });
        return command;
    }

    /// <summary>A root:// URL as given, a path made absolute.</summary>
    private static string Located(string location) => StorageByLocation.IsRemote(location) ? location : Path.GetFullPath(location);

    /// <summary>The parts of a run's config.json the pixel command uses (absent for a `calibrate` output directory).</summary>
    private sealed record RunConfig(string? InputDirectory, string? VCalFile)
    {
        public static RunConfig? Read(string home)
        {
            var path = Path.Combine(home, "config.json");
            if (StorageByLocation.Default.Stat(path) is not { IsDirectory: false }) return null;
            try
            {
                using var json = JsonDocument.Parse(RunLayout.ReadText(path));
                string? Get(string name) => json.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                return new RunConfig(Get("indir"), Get("vcalfile"));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}: not a run configuration ({e.Message})");
            }
        }
    }
}
