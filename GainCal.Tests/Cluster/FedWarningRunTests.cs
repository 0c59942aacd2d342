using GainCal.Calibration;
using GainCal.Cluster;
using GainCal.Dump;
using GainCal.Simulation;

namespace GainCal.Tests.Cluster;

/// <summary>A run through one in-process node whose dumps were not all read whole and clean: a truncated dump and one
/// with missing events end done-with-warnings with their counts in `status --json`; the clean one stays done.</summary>
public class FedWarningRunTests
{
    const uint Run = 314159;

    [Fact]
    public async Task Truncated_and_gapped_dumps_end_done_with_warnings_and_a_clean_one_stays_done()
    {
        using var dir = new TempDir();
        var input = dir.Sub("in");
        var clean = new SimulationOptions { Run = Run, Seed = 3, RocsPerFed = 2 };
        FedSimulator.Write(Path.Combine(input, new DumpFileName(1200, Run).FileName), 1200, FedCalibrationSetup.Default, clean);
        FedSimulator.Write(Path.Combine(input, new DumpFileName(1201, Run).FileName), 1201, FedCalibrationSetup.Default, clean with { TruncateAt = 0.5 });
        FedSimulator.Write(Path.Combine(input, new DumpFileName(1296, Run).FileName), 1296, FedCalibrationSetup.Default, clean with { MissingEvents = 4 });
        await using var node = await InProcessNode.StartAsync(dir.Sub("data"), dir.Path);

        Assert.Equal(0, (await node.RunAsync($"gaincal create {Run} -i {input} -o {dir.Path}/out")).Code);
        Assert.Equal(0, (await node.RunAsync($"gaincal submit {Run}")).Code);
        var status = await node.WaitAsync(Run, s => s.AllEnded);

        var byFed = status.Feds.ToDictionary(f => f.Fed);
        Assert.Equal(FedPhase.Done, byFed[1200].Phase);
        Assert.Equal([], byFed[1200].Health!.Warnings);
        Assert.Equal((104400L, 104400L, 0L), (byFed[1200].Health!.EventsExpected, byFed[1200].Health!.EventsRead, byFed[1200].Health!.EventsMissing));

        var truncated = byFed[1201];
        Assert.Equal(FedPhase.DoneWithWarnings, truncated.Phase);
        var t = truncated.Health!;
        Assert.True(t.Truncated);
        Assert.InRange(t.EventsRead, 50000, 54400);
        Assert.Equal(t.EventsExpected - t.EventsRead, t.EventsMissing);
        Assert.Contains(t.Warnings, w => w.Contains("GainCalibration_1201_314159.dmp: FED 1201: dump truncated", StringComparison.Ordinal));

        var gapped = byFed[1296];
        Assert.Equal(FedPhase.DoneWithWarnings, gapped.Phase);
        var g = gapped.Health!;
        Assert.Equal((104396L, 4L, 4L, false), (g.EventsRead, g.EventsMissing, g.L1IdGaps, g.Realigned));
        Assert.True(g.ShiftedPatterns > 0 && g.ShiftedPixels > 0, $"{g.ShiftedPatterns} patterns, {g.ShiftedPixels} pixels shifted");

        // The JSON the client reads carries the state's name and the counts; the text names the state and the warnings.
        var json = string.Join('\n', (await node.RunAsync($"gaincal status {Run} --json")).Out);
        Assert.Contains("\"phase\": \"done-with-warnings\"", json);
        Assert.Contains("\"eventsMissing\": 4", json);
        var text = (await node.RunAsync($"gaincal status {Run}")).Out;
        Assert.Contains(text, l => l.StartsWith("1201  done-with-warnings", StringComparison.Ordinal) && l.Contains("(truncated)", StringComparison.Ordinal));
        Assert.Contains(text, l => l.Contains("warning:", StringComparison.Ordinal) && l.Contains("FED 1296: 4 events missing", StringComparison.Ordinal));
        Assert.Contains(text, l => l.StartsWith("1200  done ", StringComparison.Ordinal));

        // The FED's report holds its warnings and its status.
        var report = File.ReadAllText(Path.Combine(dir.Path, "out", $"GainRun_{Run}", "fed", "1201.txt"));
        Assert.Contains("warning: ", report);
        Assert.Contains("status: done-with-warnings", report);
        Assert.Contains("status: done\n", File.ReadAllText(Path.Combine(dir.Path, "out", $"GainRun_{Run}", "fed", "1200.txt")).Replace("\r", ""));

        // The same gapped dump in a run created with --realign-events: events placed by L1ID, nothing shifted.
        const uint realignedRun = Run + 1;
        FedSimulator.Write(Path.Combine(dir.Sub("in2"), new DumpFileName(1296, realignedRun).FileName), 1296, FedCalibrationSetup.Default,
            clean with { Run = realignedRun, MissingEvents = 4 });
        var created = await node.RunAsync($"gaincal create {realignedRun} -i {dir.Path}/in2 -o {dir.Path}/out --realign-events");
        Assert.Equal(0, created.Code);
        Assert.Contains(created.Out, l => l.Contains("--realign-events", StringComparison.Ordinal));
        Assert.Contains("\"realignevents\": true", File.ReadAllText(Path.Combine(dir.Path, "out", $"GainRun_{realignedRun}", "config.json")));
        Assert.Equal(0, (await node.RunAsync($"gaincal submit {realignedRun}")).Code);
        var realigned = (await node.WaitAsync(realignedRun, s => s.AllEnded)).Feds.Single();
        Assert.Equal(FedPhase.DoneWithWarnings, realigned.Phase); // the events are still missing
        Assert.Equal((true, 0, 4L), (realigned.Health!.Realigned, realigned.Health.ShiftedPatterns, realigned.Health.EventsMissing));
    }
}
