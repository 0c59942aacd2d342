using Akka.Actor;
using GainCal.Cluster;
using GainCal.Operations;

namespace GainCal.Tests.Cluster;

/// <summary>Allowed roots as an attacker or a careless operator would test them: links into other directories,
/// planted before `create` or after it, and a second node whose roots differ.</summary>
public class PathConfinementNodeTests
{
    const uint Run = 271829;
    static readonly int[] Feds = [1200, 1296];

    static string Outside(string root) => $"is outside this node's allowed data roots ({root})";

    [Fact]
    public async Task Links_to_outside_the_roots_are_refused_at_create_and_fail_the_fed_when_planted_after_it()
    {
        using var dir = new TempDir();
        using var away = new TempDir();
        var root = dir.Sub("root");
        var outside = away.Path;
        var (sim, _) = SimulatedRun.CopyOf(Path.Combine(root, "in"), Run, Feds, 4);
        var vcal = Path.Combine(root, "vcal.txt");
        File.WriteAllText(vcal, "303054860 47.5 -60\n");
        await using var node = await InProcessNode.StartAsync(dir.Sub("data"), root);

        // Before create: output, input and VCal table reached through links.
        File.CreateSymbolicLink(Path.Combine(root, "link"), outside);
        var output = await node.RunAsync($"gaincal create {Run} -i {sim.InputDir} -o {root}/link/o8");
        Assert.Equal((1, $"error: {root}/link/o8 (it resolves to {outside}/o8) {Outside(root)}"), (output.Code, output.Err.Single()));
        Assert.False(Directory.Exists(Path.Combine(outside, "o8")));
        var input = await node.RunAsync($"gaincal create {Run} -i {root}/link -o {root}/out");
        Assert.Equal((1, $"error: {root}/link (it resolves to {outside}) {Outside(root)}"), (input.Code, input.Err.Single()));
        File.Copy(vcal, Path.Combine(outside, "vcal.txt"));
        var tag = await node.RunAsync($"gaincal create {Run} -i {sim.InputDir} -o {root}/out -t {root}/link/vcal.txt");
        Assert.Equal((1, $"error: {root}/link/vcal.txt (it resolves to {outside}/vcal.txt) {Outside(root)}"), (tag.Code, tag.Err.Single()));

        Assert.Equal(0, (await node.RunAsync($"gaincal create {Run} -i {sim.InputDir} -o {root}/out -t {vcal}")).Code);
        var runDir = Path.Combine(root, "out", $"GainRun_{Run}");

        // After create, one dump is swapped for a link to a file outside: that FED fails, the other is done.
        var dump = sim.DumpPath(Feds[0]);
        var moved = Path.Combine(outside, Path.GetFileName(dump));
        File.Move(dump, moved);
        File.CreateSymbolicLink(dump, moved);
        Assert.Equal(0, (await node.RunAsync($"gaincal submit {Run}")).Code);
        var first = await node.WaitAsync(Run, s => s.AllEnded);
        Assert.Equal((FedPhase.Failed, $"{dump} (it resolves to {moved}) {Outside(root)}"),
            (first.Feds[0].Phase, first.Feds[0].Error));
        Assert.Equal(FedPhase.Done, first.Feds[1].Phase);

        // The VCal table becomes a link to outside: every FED that loads it fails.
        File.Delete(dump);
        File.Move(moved, dump);
        File.Move(vcal, Path.Combine(outside, "vcal-now.txt"));
        File.CreateSymbolicLink(vcal, Path.Combine(outside, "vcal-now.txt"));
        Assert.Equal(0, (await node.RunAsync($"gaincal resubmit {Run} --fed -1 --force")).Code);
        var second = await node.WaitAsync(Run, s => s.AllEnded && s.Feds.All(f => f.Attempts >= 2));
        Assert.All(second.Feds, f => Assert.Equal((FedPhase.Failed, $"{vcal} (it resolves to {outside}/vcal-now.txt) {Outside(root)}"),
            (f.Phase, f.Error)));

        // The run's fed/ directory becomes a link to outside: the tables are computed but not written there.
        File.Delete(vcal);
        File.Move(Path.Combine(outside, "vcal-now.txt"), vcal);
        var fedDir = Path.Combine(runDir, "fed");
        Directory.Move(fedDir, Path.Combine(outside, "fed"));
        Directory.CreateSymbolicLink(fedDir, Path.Combine(outside, "fed"));
        var before = Directory.GetFiles(Path.Combine(outside, "fed")).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        Assert.Equal(0, (await node.RunAsync($"gaincal resubmit {Run} --fed -1 --force")).Code);
        var third = await node.WaitAsync(Run, s => s.AllEnded && s.Feds.All(f => f.Attempts >= 3));
        Assert.All(third.Feds, f => Assert.Equal((FedPhase.Failed,
            $"{fedDir}/{f.Fed}.parquet (it resolves to {outside}/fed/{f.Fed}.parquet) {Outside(root)}"), (f.Phase, f.Error)));
        Assert.Equal(before, Directory.GetFiles(Path.Combine(outside, "fed")).ToDictionary(f => f, File.GetLastWriteTimeUtc));

        // The node kept running: with the directory back, the same FEDs are done.
        Directory.Delete(fedDir);
        Directory.Move(Path.Combine(outside, "fed"), fedDir);
        Assert.Equal(0, (await node.RunAsync($"gaincal resubmit {Run}")).Code);
        var last = await node.WaitAsync(Run, s => s.AllEnded && s.Feds.All(f => f.Attempts >= 4));
        Assert.All(last.Feds, f => Assert.Equal(FedPhase.Done, f.Phase));
    }

    [Fact]
    public async Task A_run_created_through_one_node_cannot_make_another_read_outside_its_own_roots()
    {
        using var dir = new TempDir();
        var rootA = dir.Sub("a");
        var rootB = dir.Sub("b");
        var (sim, _) = SimulatedRun.CopyOf(Path.Combine(rootA, "in"), Run, Feds, 4);
        // One FED slot each: FEDs are placed on free slots, so the two FEDs run one on each node (a node whose slots the
        // coordinator has not heard of yet gets none until it has).
        await using var a = await InProcessNode.StartAsync(InProcessNode.SettingsFor(dir.Sub("data"), [rootA]) with { MaxFeds = 1 });
        await using var b = await InProcessNode.StartAsync(InProcessNode.SettingsFor(dir.Sub("data"), [rootB]) with
        {
            MaxFeds = 1, Seeds = [$"127.0.0.1:{a.Settings.Port}"],
        });
        // A node not heard of gets no FED (else both FEDs could go to the first one heard): wait until the coordinator
        // lists both nodes' slots.
        for (var i = 0; ; i++)
        {
            var slots = (await a.RunAsync("gaincal runs")).Out.Last();
            if (GainCalRuns.NodesWithSlots(slots) == 2) break;
            Assert.True(i < 100, $"the coordinator never heard both nodes' slots: {slots}");
            await Task.Delay(200);
        }

        var refused = await b.RunAsync($"gaincal create {Run} -i {sim.InputDir} -o {rootA}/out");
        Assert.Equal((1, $"error: {sim.InputDir} {Outside(rootB)}"), (refused.Code, refused.Err.Single()));

        Assert.Equal(0, (await a.RunAsync($"gaincal create {Run} -i {sim.InputDir} -o {rootA}/out")).Code);
        Assert.Equal(0, (await a.RunAsync($"gaincal submit {Run}")).Code);
        var end = await a.WaitAsync(Run, s => s.AllEnded);
        var nodeB = $"127.0.0.1:{b.Settings.Port}";
        Assert.Contains(end.Feds, f => f.Node == nodeB);
        Assert.Contains(end.Feds, f => f.Node != nodeB);
        foreach (var f in end.Feds)
            if (f.Node == nodeB)
                Assert.Equal((FedPhase.Failed, $"{sim.DumpPath(f.Fed)} {Outside(rootB)}"), (f.Phase, f.Error));
            else
                Assert.Equal(FedPhase.Done, f.Phase);
    }
}
