using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using GainCal.Simulation;

namespace GainCal.Cli.Commands;

/// <summary>`gaincal simulate`: a synthetic calibration run with planted truth, as real .dmp files.</summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var directory = new Argument<DirectoryInfo>("run-dir") { Description = "Directory to write GainCalibration_<FED>_<RUN>.dmp files and truth/<FED>.csv into" };
        var run = new Option<uint>("--run", "-r") { Description = "Run number written in the dumps", DefaultValueFactory = _ => 1 };
        var feds = new Option<string>("--feds", "-n") { Description = "FEDs: all, bpix, fpix, a list 1200,1296 or a range 1200-1205", DefaultValueFactory = _ => "1200,1296" };
        var rocs = new Option<int?>("--rocs-per-fed") { Description = "Simulate only the first N ROCs of each FED (default 4; ignored with --full)" };
        var full = new Option<bool>("--full") { Description = "Full-size FEDs: every link and ROC of the real FED (hundreds of MB per FED)" };
        var seed = new Option<int>("--seed") { Description = "Random seed (the same seed writes the same files)", DefaultValueFactory = _ => 1 };
        var deadRocs = new Option<string[]>("--dead-roc") { Description = "Plant a dead ROC: FED:ROC-INDEX (FED-local ROC index in link, ROC order); repeatable", AllowMultipleArgumentsPerToken = true };
        var dead = new Option<double>("--dead-fraction") { Description = "Fraction of dead pixels", DefaultValueFactory = _ => 0.002 };
        var noisy = new Option<double>("--noisy-fraction") { Description = "Fraction of noisy pixels", DefaultValueFactory = _ => 0.001 };
        var lowEff = new Option<double>("--low-efficiency-fraction") { Description = "Fraction of low-efficiency pixels (answer 20% of triggers)", DefaultValueFactory = _ => 0.002 };
        var garbage = new Option<int>("--garbage") { Description = "Fault: bursts of garbage words between events" };
        var missing = new Option<int>("--missing-events") { Description = "Fault: events left out (L1ID gaps; later events shift VCal point as in the reference)" };
        var truncate = new Option<double?>("--truncate-at") { Description = "Fault: cut each file at this fraction of its length, e.g. 0.5" };
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
            var fedList = FedList.Parse(parsed.GetValue(feds)!);
            var options = new SimulationOptions
            {
                Run = parsed.GetValue(run),
                Seed = parsed.GetValue(seed),
                RocsPerFed = parsed.GetValue(full) ? null : parsed.GetValue(rocs) ?? 4,
                DeadFraction = parsed.GetValue(dead),
                NoisyFraction = parsed.GetValue(noisy),
                LowEfficiencyFraction = parsed.GetValue(lowEff),
                DeadRocs = ParseDeadRocs(parsed.GetValue(deadRocs) ?? []),
                GarbageBursts = parsed.GetValue(garbage),
                MissingEvents = parsed.GetValue(missing),
                TruncateAt = parsed.GetValue(truncate),
            };
            var dir = parsed.GetValue(directory)!.FullName;
            var clock = Stopwatch.StartNew();
            using (var bar = new TerminalProgress("simulate"))
            {
                bar.Update(0, $"0/{fedList.Count} FEDs");
                RunSimulator.Write(dir, fedList, setup, options,
                    new SynchronousProgress<int>(n => bar.Update((double)n / fedList.Count, $"{n}/{fedList.Count} FEDs")),
                    writeTruthCsv: !parsed.GetValue(noTruth));
            }
            var bytes = Directory.GetFiles(dir, "*.dmp").Sum(f => new FileInfo(f).Length);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {fedList.Count} FED dumps of run {options.Run} ({bytes / 1e6:F1} MB) to {dir} in {clock.Elapsed.TotalSeconds:F1} s"));
            return 0;
        });
        return command;
    }

    private static IReadOnlyDictionary<int, IReadOnlyList<int>> ParseDeadRocs(string[] specs)
    {
        var result = new Dictionary<int, List<int>>();
        foreach (var spec in specs)
        {
            var parts = spec.Split(':');
            if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out var fed) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var roc))
                throw new FormatException($"--dead-roc '{spec}': expected FED:ROC-INDEX, e.g. 1200:3");
            if (!result.TryGetValue(fed, out var list)) result[fed] = list = [];
            list.Add(roc);
        }
        return result.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<int>)kv.Value);
    }
}
