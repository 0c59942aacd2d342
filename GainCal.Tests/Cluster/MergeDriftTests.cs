using System.Globalization;
using GainCal.Calibration;
using GainCal.Cluster;
using GainCal.Detector;
using GainCal.Node;
using GainCal.Operations;
using GainCal.Results;
using GainCal.Simulation;
using GainCal.Tests.Reports;

namespace GainCal.Tests.Cluster;

/// <summary>Issue 13: drift at merge. Two runs simulated alike except for a planted +6 % gain of BPix layer 1; the second
/// run's merge is compared with the first (the previous merged run, by default) and status, the summary and /metrics say
/// "L1: gain +6 % since run 1".</summary>
public class MergeDriftTests
{
    const uint First = 500001, Second = 500002;
    static readonly int[] Feds = [1200, 1296];

    [Fact]
    [Trait("Category", "Slow")]
    public async Task The_second_run_lists_layer_1s_planted_gain_shift_since_the_first_in_status_summary_and_metrics()
    {
        using var dir = new TempDir();
        // 16 ROCs per FED: FED 1200 reads one layer-1 module first (synthetic cabling), FED 1296 one FPix module.
        foreach (var (run, scale) in new[] { (First, 1.0), (Second, 1.06) })
            RunSimulator.Write(dir.Sub($"in{run}"), Feds, FedCalibrationSetup.Default,
                new SimulationOptions { Run = run, RocsPerFed = 16, LayerGainScale = new Dictionary<int, double> { [1] = scale } }, writeTruthCsv: false);
        var ports = FreePorts.Take(3);
        var settings = new NodeSettings
        {
            Port = ports[0], CommandPort = ports[1], HttpPort = ports[2], DataDir = dir.Sub("data"), AllowedRoots = [dir.Path],
            MaxFeds = 2, FitWorkers = 2, PatternsInFlight = 4,
        };
        var app = NodeHttp.Build(settings);
        await app.StartAsync();
        RunStatusView second;
        List<string> text;
        string metrics;
        try
        {
            var endpoint = $"127.0.0.1:{ports[1]}";
            async Task<(int Code, List<string> Out)> Gaincal(string line)
            {
                var o = new List<string>();
                var e = new List<string>();
                var code = await CommandHostClient.RunAsync(endpoint, line, o.Add, e.Add);
                return (code, o.Concat(e).ToList());
            }
            async Task<RunStatusView> Merged(uint run)
            {
                var deadline = DateTime.UtcNow.AddMinutes(4);
                while (true)
                {
                    var s = await Gaincal($"gaincal status {run} --json");
                    if (s.Code == 0 && StatusText.FromJson(string.Join('\n', s.Out)) is { AllEnded: true, MergeCurrent: true } v) return v;
                    Assert.True(DateTime.UtcNow < deadline, $"run {run} not merged in time: {string.Join('\n', s.Out)}");
                    await Task.Delay(300);
                }
            }
            foreach (var run in new[] { First, Second })
            {
                var create = await Gaincal($"gaincal create {run} -i {dir.Path}/in{run} -o {dir.Path}/out");
                Assert.True(create.Code == 0, string.Join('\n', create.Out));
                Assert.Contains("drift reference: the previous merged run", create.Out);
                Assert.Equal(0, (await Gaincal($"gaincal submit {run}")).Code);
                var merged = await Merged(run);
                Assert.True(merged.Merge!.Ok, merged.Merge.Error);
                if (run == First) Assert.Null(merged.Merge.Drift);   // nothing merged before it
            }
            second = await Merged(Second);
            text = (await Gaincal($"gaincal status {Second}")).Out;
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[2]}/") };
            var deadline = DateTime.UtcNow.AddSeconds(30);
            // The gauges are observed one after the other: a scrape while the merge's drift is being published may hold one
            // of them only, so wait for both.
            static bool BothDriftGauges(string m) =>
                m.Contains("gaincal_drift_part{", StringComparison.Ordinal) && m.Contains("gaincal_drift_modules{", StringComparison.Ordinal);
            while (!BothDriftGauges(metrics = await http.GetStringAsync("metrics")) && DateTime.UtcNow < deadline)
                await Task.Delay(500);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        // By hand, from the two merged tables: the layer-1 modules' mean gain over good fits, averaged over the modules,
        // now over then, minus one.
        var firstTable = PixelTable.Read(Path.Combine(dir.Path, "out", $"GainRun_{First}", PixelTable.MergedFileName));
        var secondTable = PixelTable.Read(second.Merge!.MergedPath!);
        static Dictionary<uint, double> Layer1Means(PixelTable t) => t.Rows()
            .Where(p => new DetId(p.DetId) is { IsBPix: true, Layer: 1 } && GoodFit.Is(p.Status, p.Gain, p.Pedestal))
            .GroupBy(p => p.DetId).ToDictionary(g => g.Key, g => g.Average(p => (double)p.Gain));
        var then = Layer1Means(firstTable);
        var now = Layer1Means(secondTable);
        Assert.NotEmpty(now);
        Assert.Equal(then.Keys.Order(), now.Keys.Order());
        var expected = now.Values.Average() / then.Values.Average() - 1;
        Assert.InRange(expected, 0.055, 0.065);   // the planted 6 %, through the fit

        var drift = second.Merge.Drift!;
        Assert.Null(drift.Problem);
        Assert.Equal(First, drift.ReferenceRun);
        Assert.Equal(firstTable.Feds().Count, Feds.Length);
        var l1 = drift.Parts.Single(p => p.Name == "L1");
        Assert.Equal(expected, l1.Gain, 6);
        Assert.True(l1.GainBeyond);
        Assert.All(drift.Parts.Where(p => p.Name != "L1"), p => Assert.False(p.GainBeyond, $"{p.Name}: {p.Gain}"));
        Assert.Equal(now.Count, drift.ModulesBeyondGain);
        Assert.Equal(now.Keys.Order(), drift.Modules.Where(m => m.GainBeyond).Select(m => DetIdOf(m.Name)).Order());

        var percent = (100 * expected).ToString("+0.0;-0.0", CultureInfo.InvariantCulture);
        Assert.Contains($"  L1: gain {percent} % since run {First}", text);
        Assert.Contains(text, l => l.StartsWith($"drift since run {First} (", StringComparison.Ordinal));

        var gainLine = metrics.Split('\n').Single(l => l.StartsWith("gaincal_drift_part{", StringComparison.Ordinal)
            && l.Contains("part=\"L1\"", StringComparison.Ordinal) && l.Contains("quantity=\"gain_percent\"", StringComparison.Ordinal));
        Assert.Contains($"run=\"{Second}\"", gainLine);
        Assert.Contains($"reference_run=\"{First}\"", gainLine);
        Assert.Equal(100 * expected, double.Parse(gainLine.Split(' ')[^1], CultureInfo.InvariantCulture), 4);
        var modulesLine = metrics.Split('\n').Single(l => l.StartsWith("gaincal_drift_modules{", StringComparison.Ordinal)
            && l.Contains("quantity=\"gain\"", StringComparison.Ordinal));
        Assert.Equal(now.Count, int.Parse(modulesLine.Split(' ')[^1], CultureInfo.InvariantCulture));

        // The summary of the second run shows the merge's drift check without being told the reference.
        var runDir = Path.GetDirectoryName(second.Merge.MergedPath!)!;
        var summary = ReportCommandTests.Gaincal("summary", $"{Second}", "--run-dir", runDir);
        Assert.True(summary.Code == 0, summary.Err);
        Assert.Contains($"drift: L1: gain {percent} % since run {First}", summary.Out);
        Poppler.RequireOrSkip();
        var pdf = Poppler.Run("pdftotext", "-f", "1", "-l", "2", Path.Combine(runDir, "summary", "gain_summary.pdf"), "-");
        Assert.Contains($"L1: gain {percent} % since run {First}", pdf);
    }

    static uint DetIdOf(string moduleName) => DetId.AllModules.Single(d => d.ModuleName == moduleName).Raw;
}
