using System.Collections.Concurrent;
using System.Diagnostics;
using GainCal.Calibration;
using GainCal.Dump;
using GainCal.Results;

namespace GainCal.Tests.Cluster;

/// <summary>A simulated run written by `gaincal simulate` (real .dmp files), and its reference result: every FED
/// calibrated on its own with FedPipeline (what `gaincal calibrate` does), merged.</summary>
public sealed class SimulatedRun
{
    public uint Run { get; }
    public int[] Feds { get; }
    public string InputDir { get; }

    SimulatedRun(uint run, int[] feds, string inputDir)
    {
        Run = run;
        Feds = feds;
        InputDir = inputDir;
    }

    public string DumpPath(int fed) => Path.Combine(InputDir, new DumpFileName(fed, Run).FileName);

    static readonly ConcurrentDictionary<string, Lazy<(SimulatedRun Run, PixelTable Reference)>> Cache = new();

    static SimulatedRun()
    {
        // The master copies live as long as the test process; hundreds of MB must not pile up in /tmp.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var lazy in Cache.Values.Where(l => l.IsValueCreated))
                try
                {
                    Directory.Delete(lazy.Value.Run.InputDir, true);
                }
                catch (IOException)
                {
                }
        };
    }

    /// <summary>One simulation per parameter set per test process (simulating and the reference cost time);
    /// every test gets its own copy of the files, which it may damage.</summary>
    public static (SimulatedRun Run, PixelTable Reference) CopyOf(string destination, uint run, int[] feds, int rocsPerFed)
    {
        var key = $"{run}:{string.Join(',', feds)}:{rocsPerFed}";
        var (master, reference) = Cache.GetOrAdd(key, _ => new Lazy<(SimulatedRun, PixelTable)>(() =>
        {
            var dir = Directory.CreateTempSubdirectory($"gaincal-sim-{run}-").FullName;
            var sim = Simulate(dir, run, feds, rocsPerFed);
            return (sim, sim.ReferenceTable());
        })).Value;
        Directory.CreateDirectory(destination);
        foreach (var fed in feds)
            File.Copy(master.DumpPath(fed), Path.Combine(destination, Path.GetFileName(master.DumpPath(fed))), overwrite: true);
        return (new SimulatedRun(run, feds, destination), reference);
    }

    static SimulatedRun Simulate(string dir, uint run, int[] feds, int rocsPerFed)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "gaincal.dll"), "simulate", dir, "--run", $"{run}",
                     "--feds", string.Join(',', feds), "--rocs-per-fed", $"{rocsPerFed}" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"gaincal simulate failed ({p.ExitCode}): {stdout.Result}{stderr}");
        var sim = new SimulatedRun(run, feds, dir);
        foreach (var fed in feds)
            if (!File.Exists(sim.DumpPath(fed))) throw new InvalidOperationException($"gaincal simulate wrote no {sim.DumpPath(fed)}");
        return sim;
    }

    public PixelTable ReferenceTable() =>
        PixelTable.Merge(Feds.Select(f => new FedPipeline(FedCalibrationSetup.Default).Run(DumpPath(f)).Table).ToList());
}
