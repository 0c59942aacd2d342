using System.Diagnostics;
using GainCal.Cluster;
using GainCal.Results;

namespace GainCal.Tests.Cluster;

/// <summary>A whole run through one in-process node (SQLite journal, real command host): the fast check that
/// the actors, the core and the commands fit together.</summary>
public class SingleNodeRunTests
{
    const uint Run = 271828;
    static readonly int[] Feds = [1200, 1296];

    [Fact]
    public async Task Small_run_is_created_calibrated_and_merged_like_the_fed_by_fed_reference()
    {
        using var dir = new TempDir();
        var (sim, reference) = SimulatedRun.CopyOf(dir.Sub("in"), Run, Feds, 4);
        await using var node = await InProcessNode.StartAsync(dir.Sub("data"), dir.Path);

        var create = await node.RunAsync($"gaincal create {Run} -i {sim.InputDir} -o {dir.Path}/out");
        Assert.Equal(0, create.Code);
        Assert.Equal($"run {Run} created: 2 FEDs (1 BPix, 1 FPix) from {sim.InputDir}", create.Out[0]);
        Assert.Equal($"106 expected FEDs have no dump: 1201-1209, 1212-1221, 1224-1233, 1236-1245, 1248-1257, 1260-1269, " +
                     "1272-1281, 1284-1293, 1297-1302, 1308-1314, 1320-1326, 1332-1338", create.Out[3]);
        var config = File.ReadAllText(Path.Combine(dir.Path, "out", $"GainRun_{Run}", "config.json"));
        Assert.Contains("\"feds\": [\n    1200,\n    1296\n  ]", config.Replace("\r", ""));

        var same = await node.RunAsync($"gaincal create {Run} -i {sim.InputDir} -o {dir.Path}/out");
        Assert.Equal((0, $"run {Run} was already created with these settings; nothing changed"), (same.Code, same.Out.Single()));
        var other = await node.RunAsync($"gaincal create {Run} -i {sim.InputDir} -o {dir.Path}/out --bpix-only");
        Assert.Equal(1, other.Code);

        Assert.Equal(0, (await node.RunAsync($"gaincal submit {Run}")).Code);
        var sw = Stopwatch.StartNew();
        RunStatusView? status = null;
        while (sw.Elapsed < TimeSpan.FromMinutes(3))
        {
            var s = await node.RunAsync($"gaincal status {Run} --json");
            status = StatusText.FromJson(string.Join('\n', s.Out));
            if (status is { AllEnded: true, MergeCurrent: true }) break;
            await Task.Delay(200);
        }
        Assert.NotNull(status);
        Assert.True(status.MergeCurrent, string.Join('\n', StatusText.Render(status)));
        Assert.All(status.Feds, f => Assert.Equal((FedPhase.Done, 1), (f.Phase, f.Attempts)));
        foreach (var f in status.Feds)
            Assert.True(File.Exists(Path.Combine(dir.Path, "out", $"GainRun_{Run}", "fed", $"{f.Fed}.parquet")));
        var merged = PixelTable.Read(status.Merge!.MergedPath!);
        Assert.Equal(reference.RowCount, merged.RowCount);
        Assert.True(merged.ContentEquals(reference));
        // The run's summary is combined from the FEDs' statistics; it must read as the merged table's own.
        Assert.Equal(reference.Summary(), status.Merge.Summary);
    }

    [Fact]
    public async Task Create_refuses_directories_without_dumps_of_the_run()
    {
        using var dir = new TempDir();
        var (sim, _) = SimulatedRun.CopyOf(dir.Sub("in"), Run, Feds, 4);
        await using var node = await InProcessNode.StartAsync(dir.Sub("data"), dir.Path);
        var wrongRun = await node.RunAsync($"gaincal create 5 -i {sim.InputDir} -o {dir.Path}/out");
        Assert.Equal(1, wrongRun.Code);
        Assert.Equal($"error: {sim.InputDir}: no GainCalibration_<FED>_5.dmp file of a pixel FED", wrongRun.Err.Single());
        var missing = await node.RunAsync($"gaincal create 5 -i {dir.Path}/nowhere -o {dir.Path}/out");
        Assert.Equal($"error: {dir.Path}/nowhere: input directory does not exist", missing.Err.Single());
        var tag = await node.RunAsync($"gaincal create {Run} -i {sim.InputDir} -o {dir.Path}/out -t NoSuchTag");
        Assert.StartsWith("error: VCal tag NoSuchTag: no file", tag.Err.Single());
    }

    [Fact]
    public async Task Create_refuses_an_unreadable_vcal_table_and_records_nothing()
    {
        using var dir = new TempDir();
        var (sim, _) = SimulatedRun.CopyOf(dir.Sub("in"), Run, Feds, 4);
        File.WriteAllText(Path.Combine(dir.Path, "badtag.txt"), "hello world\n");
        File.WriteAllText(Path.Combine(dir.Path, "goodtag.txt"), "303054860 47.5 -60\n");
        await using var node = await InProcessNode.StartAsync(dir.Sub("data"), dir.Path);

        var bad = await node.RunAsync($"gaincal create {Run} -i {sim.InputDir} -o {dir.Path}/out -t badtag");
        Assert.Equal(1, bad.Code);
        Assert.Equal($"error: VCal tag badtag: {dir.Path}/badtag.txt: line 1: expected 'detid slope offset', got 2 fields", bad.Err.Single());
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "out", $"GainRun_{Run}")));

        var good = await node.RunAsync($"gaincal create {Run} -i {sim.InputDir} -o {dir.Path}/out -t goodtag");
        Assert.Equal(0, good.Code);
        Assert.Equal($"VCal tag goodtag: {dir.Path}/goodtag.txt", good.Out[2]);

        var other = await node.RunAsync($"gaincal create {Run} -i {sim.InputDir} -o {dir.Path}/out");
        Assert.Equal(1, other.Code);
        Assert.EndsWith($"a run's settings cannot be changed, but its VCal table can: replace {dir.Path}/goodtag.txt " +
                        $"and rerun its FEDs (gaincal resubmit {Run} --fed -1 --force)", other.Err.Single());
    }
}
