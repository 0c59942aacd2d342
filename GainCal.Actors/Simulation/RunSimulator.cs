using GainCal.Calibration;
using GainCal.Dump;

namespace GainCal.Simulation;

/// <summary>Writes a simulated calibration run: one dump per FED under its real file name, and the planted truth as CSV.</summary>
public static class RunSimulator
{
    public static IReadOnlyDictionary<int, FedTruth> Write(string runDirectory, IReadOnlyList<int> feds, FedCalibrationSetup setup,
        SimulationOptions options, IProgress<int>? fedsDone = null, bool writeTruthCsv = true)
    {
        foreach (var fed in feds)
            if (!setup.Cabling.Contains(fed)) throw new ArgumentException($"FED {fed} is not a pixel FED of the cabling map");
        Directory.CreateDirectory(runDirectory);
        var truthDirectory = Path.Combine(runDirectory, "truth");
        if (writeTruthCsv) Directory.CreateDirectory(truthDirectory);
        var truths = new Dictionary<int, FedTruth>();
        var done = 0;
        Parallel.ForEach(feds, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, fed =>
        {
            var truth = FedSimulator.Write(DumpPath(runDirectory, fed, options.Run), fed, setup, options);
            if (writeTruthCsv) truth.WriteCsv(Path.Combine(truthDirectory, $"{fed}.csv"), setup.Cabling.ForFed(fed));
            lock (truths)
            {
                truths[fed] = truth;
                fedsDone?.Report(++done);
            }
        });
        return truths;
    }

    /// <summary>Where <see cref="Write"/> puts the dump of one FED: its real file name in the run directory.</summary>
    public static string DumpPath(string runDirectory, int fed, uint run) => Path.Combine(runDirectory, new DumpFileName(fed, run).FileName);
}
