using GainCal.Cluster;
using GainCal.Results;
using static GainCal.Tests.Cli.CalibrateCommandTests;

namespace GainCal.Tests.Cluster;

/// <summary>`create --cabling`: a run names its own cabling map, checked at create and used by the node for each of its FEDs.</summary>
public class RunCablingTests
{
    const uint Run = 515151;

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_run_with_its_own_cabling_gives_the_tables_of_calibrate_with_that_cabling()
    {
        using var dir = new TempDir();
        var text = Path.Combine(dir.Path, "cabling.txt");
        ConditionsEndToEndTests.Swapped().Save(text);
        var db = Path.Combine(dir.Path, "cabling.db");
        var convert = Gaincal("cabling", "db", "--text", text, "-o", db, "--tag", "SiPixelFedCablingMap_run");
        Assert.True(convert.Exit == 0, convert.Err);
        var input = dir.Sub("in");
        var sim = Gaincal("simulate", input, "--run", $"{Run}", "--feds", "1200,1296", "--rocs-per-fed", "4", "--cabling", db);
        Assert.True(sim.Exit == 0, sim.Err);
        // The node has no cabling of its own: only the run's file gives the right modules.
        await using var node = await InProcessNode.StartAsync(dir.Sub("data"), dir.Path);

        var create = await node.RunAsync($"gaincal create {Run} -i {input} -o {dir.Path}/out --cabling {db} --cabling-tag SiPixelFedCablingMap_run");
        Assert.True(create.Code == 0, string.Join('\n', create.Err));
        Assert.Contains($"cabling: {db} (tag SiPixelFedCablingMap_run)", create.Out);
        Assert.Contains(create.Out, l => l.StartsWith($"cabling read: {db}: SiPixelFedCablingMap 'phase1' of tag SiPixelFedCablingMap_run"));
        Assert.Equal(0, (await node.RunAsync($"gaincal submit {Run}")).Code);
        var end = await node.WaitAsync(Run, s => s.AllEnded && s.MergeCurrent);
        Assert.All(end.Feds, f => Assert.Equal(FedPhase.Done, f.Phase));
        Assert.Equal(db, end.CablingPath);

        foreach (var f in end.Feds)
        {
            var dump = Path.Combine(input, $"GainCalibration_{f.Fed}_{Run}.dmp");
            var local = dir.Sub($"local-{f.Fed}");
            var calibrate = Gaincal("calibrate", dump, "-o", local, "--cabling", db);
            Assert.True(calibrate.Exit == 0, calibrate.Err);
            var cluster = PixelTable.Read(f.ResultPath!);
            Assert.True(cluster.ContentEquals(PixelTable.Read(Path.Combine(local, "fed", $"{f.Fed}.parquet"))),
                $"FED {f.Fed}: the run's table differs from calibrate --cabling");
            // The test can fail: the built-in map puts these pixels on other modules.
            var synthetic = dir.Sub($"synthetic-{f.Fed}");
            Assert.Equal(0, Gaincal("calibrate", dump, "-o", synthetic).Exit);
            Assert.False(cluster.ContentEquals(PixelTable.Read(Path.Combine(synthetic, "fed", $"{f.Fed}.parquet"))));
        }
    }

    [Fact]
    public async Task Create_refuses_a_cabling_it_cannot_read_or_may_not_and_records_nothing()
    {
        using var dir = new TempDir();
        var (sim, _) = SimulatedRun.CopyOf(dir.Sub("in"), Run, [1200, 1296], 4);
        var garbage = Path.Combine(dir.Path, "garbage.txt");
        File.WriteAllText(garbage, "this is no cabling\n");
        using var outside = new TempDir();
        var elsewhere = Path.Combine(outside.Path, "cabling.txt");
        ConditionsEndToEndTests.Swapped().Save(elsewhere);
        await using var node = await InProcessNode.StartAsync(dir.Sub("data"), dir.Path);

        var bad = await node.RunAsync($"gaincal create {Run} -i {sim.InputDir} -o {dir.Path}/out --cabling {garbage}");
        Assert.Equal(1, bad.Code);
        Assert.StartsWith($"error: {garbage}", Assert.Single(bad.Err));
        var missing = await node.RunAsync($"gaincal create {Run} -i {sim.InputDir} -o {dir.Path}/out --cabling {dir.Path}/none.db");
        Assert.Equal($"error: {dir.Path}/none.db: cabling file does not exist", Assert.Single(missing.Err));
        var foreign = await node.RunAsync($"gaincal create {Run} -i {sim.InputDir} -o {dir.Path}/out --cabling {elsewhere}");
        Assert.StartsWith($"error: cabling: {elsewhere}", Assert.Single(foreign.Err));
        var tagOfText = await node.RunAsync($"gaincal create {Run} -i {sim.InputDir} -o {dir.Path}/out --cabling {garbage} --cabling-tag T");
        Assert.Contains("--cabling-tag T needs a conditions .db file", Assert.Single(tagOfText.Err));
        Assert.Equal(1, (await node.RunAsync($"gaincal status {Run}")).Code);
    }
}
