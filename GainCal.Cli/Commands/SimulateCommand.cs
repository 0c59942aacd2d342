using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using GainCal.Calibration;
using GainCal.Simulation;

namespace GainCal.Cli.Commands;

/// <summary>`gaincal simulate`: a synthetic calibration run with planted truth, as real .dmp files.</summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var directory = new Argument<DirectoryInfo>("run-dir") { Description = "Directory to write GainCalibration_<FED>_<RUN>.dmp files and truth/<FED>.csv into" };
        var run = new Option<uint>("--run", "-r") { Description = "Run number written in the dumps", DefaultValueFactory = _ => 1 };
        const string defaultFeds = "1200,1296";
        var feds = FedList.Option("--feds", defaultFeds);
        feds.Aliases.Add("-n");
        var rocs = new Option<int?>("--rocs-per-fed")
        { Description = "Simulate only the first N ROCs of each FED, N >= 1 (default 4; ignored with --full)", CustomParser = r => CliValues.Int(r, "--rocs-per-fed", min: 1) };
        var full = new Option<bool>("--full") { Description = "Full-size FEDs: every link and ROC of the real FED (hundreds of MB per FED)" };
        var seed = new Option<int>("--seed") { Description = "Random seed (the same seed writes the same files)", DefaultValueFactory = _ => 1 };
        var deadRocs = new Option<string[]>("--dead-roc") { Description = "Plant a dead ROC: FED:ROC-INDEX (a simulated FED; FED-local ROC index in link, ROC order, from 0); repeatable", AllowMultipleArgumentsPerToken = true };
        var dead = Fraction("--dead-fraction", "Fraction of dead pixels", 0.002);
        var noisy = Fraction("--noisy-fraction", "Fraction of noisy pixels", 0.001);
        var lowEff = Fraction("--low-efficiency-fraction", "Fraction of low-efficiency pixels (answer 20% of triggers)", 0.002);
        var garbage = new Option<int>("--garbage") { Description = "Fault: bursts of garbage words between events (>= 0)", CustomParser = r => CliValues.Int(r, "--garbage", min: 0) };
        var missing = new Option<int>("--missing-events")
        { Description = "Fault: events left out, >= 0 (L1ID gaps; later events shift VCal point as in the reference)", CustomParser = r => CliValues.Int(r, "--missing-events", min: 0) };
        var truncate = new Option<double?>("--truncate-at")
        {
            Description = "Fault: cut each file at this fraction of its length, greater than 0 and less than 1, e.g. 0.5",
            CustomParser = r => CliValues.Number(r, "--truncate-at", v => v is > 0 and < 1, "greater than 0 and less than 1"),
        };
        var noTruth = new Option<bool>("--no-truth") { Description = "Do not write the truth CSV files" };
        var setupOptions = new SetupOptions();
        var command = new Command("simulate", "Write a simulated calibration run: real-format dumps with planted pedestal, gain, plateau, noise and bad pixels.")
        {
            directory, run, feds, rocs, full, seed, deadRocs, dead, noisy, lowEff, garbage, missing, truncate, noTruth,
        };
        setupOptions.AddTo(command);
        command.SetAction(parsed =>
        {
            var setup = setupOptions.Read(parsed);
            var fedList = FedList.Selected(parsed, feds, defaultFeds);
            var options = new SimulationOptions
            {
                Run = parsed.GetValue(run),
                Seed = parsed.GetValue(seed),
                RocsPerFed = parsed.GetValue(full) ? null : parsed.GetValue(rocs) ?? 4,
                DeadFraction = parsed.GetValue(dead),
                NoisyFraction = parsed.GetValue(noisy),
                LowEfficiencyFraction = parsed.GetValue(lowEff),
                GarbageBursts = parsed.GetValue(garbage),
                MissingEvents = parsed.GetValue(missing),
                TruncateAt = parsed.GetValue(truncate),
            };
            var badPixels = options.DeadFraction + options.NoisyFraction + options.LowEfficiencyFraction;
            if (badPixels > 1)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"--dead-fraction, --noisy-fraction and --low-efficiency-fraction must add up to at most 1 (got {badPixels})"));
            foreach (var fed in fedList)
                if (!setup.Cabling.Contains(fed)) throw new ArgumentException($"FED {fed} is not a pixel FED of the cabling map");
            options = options with { DeadRocs = ParseDeadRocs(parsed.GetValue(deadRocs) ?? [], fedList, setup, options) };
            var dir = CliPaths.OutputDirectory(parsed.GetValue(directory)!.FullName);
            var clock = Stopwatch.StartNew();
            using (var bar = new TerminalProgress("simulate"))
            {
                bar.Update(0, $"0/{fedList.Count} FEDs");
                RunSimulator.Write(dir, fedList, setup, options,
                    new SynchronousProgress<int>(n => bar.Update((double)n / fedList.Count, $"{n}/{fedList.Count} FEDs")),
                    writeTruthCsv: !parsed.GetValue(noTruth));
            }
            var written = fedList.Select(f => RunSimulator.DumpPath(dir, f, options.Run)).ToHashSet();
            var bytes = written.Sum(f => new FileInfo(f).Length);
            var dumps = fedList.Count == 1 ? "dump" : "dumps";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {fedList.Count} FED {dumps} of run {options.Run} ({bytes / 1e6:F1} MB) to {dir} in {clock.Elapsed.TotalSeconds:F1} s"));
            var others = Directory.GetFiles(dir, "*.dmp").Count(f => !written.Contains(f));
            if (others > 0) Console.WriteLine($"note: {dir} also holds {others} other {(others == 1 ? "dump" : "dumps")} (earlier runs or FEDs)");
            return 0;
        });
        return command;
    }

    private static Option<double> Fraction(string name, string description, double defaultValue) => new(name)
    {
        Description = $"{description}, between 0 and 1",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => CliValues.Fraction(r, name),
    };

    /// <summary>The --dead-roc specs, each naming a simulated FED and one of its simulated ROCs.</summary>
    private static IReadOnlyDictionary<int, IReadOnlyList<int>> ParseDeadRocs(string[] specs, IReadOnlyList<int> feds,
        FedCalibrationSetup setup, SimulationOptions options)
    {
        var result = new Dictionary<int, List<int>>();
        foreach (var spec in specs)
        {
            var parts = spec.Split(':');
            if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out var fed) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var roc))
                throw new FormatException($"--dead-roc {spec}: expected FED:ROC-INDEX, e.g. 1200:3");
            if (!feds.Contains(fed))
                throw new ArgumentException($"--dead-roc {spec}: FED {fed} is not simulated (--feds {string.Join(',', feds)})");
            var rocs = FedSimulator.RocCount(fed, setup, options);
            if (roc < 0 || roc >= rocs)
                throw new ArgumentException($"--dead-roc {spec}: FED {fed} has ROC indices 0-{rocs - 1} in this simulation");
            if (!result.TryGetValue(fed, out var list)) result[fed] = list = [];
            list.Add(roc);
        }
        return result.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<int>)kv.Value);
    }
}
