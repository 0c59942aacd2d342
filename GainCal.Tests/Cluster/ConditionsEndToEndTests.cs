using GainCal.Calibration;
using GainCal.Cluster;
using GainCal.Detector;
using GainCal.Payloads;
using GainCal.Results;
using static GainCal.Tests.Cli.CalibrateCommandTests;

namespace GainCal.Tests.Cluster;

/// <summary>
/// The CMS conditions world at both ends of a run: a cabling read from a SiPixelFedCablingMap conditions file drives
/// the simulation and the cluster's calibration, and the payloads of the merged table read back through the archive
/// reader to exactly the encoding of that table.
/// </summary>
[Trait("Category", "Slow")]
public class ConditionsEndToEndTests
{
    const uint Run = 424242;
    static readonly int[] Feds = [1200, 1296];

    /// <summary>The synthetic map with, on each FED, pairs of modules of the same link layout swapped: a cabling
    /// that decodes differently from the built-in one, so only a node that reads the file gets the right modules.</summary>
    internal static CablingMap Swapped()
    {
        var synthetic = CablingMap.Synthetic();
        var swap = new Dictionary<DetId, DetId>();
        foreach (int fed in Feds)
            foreach (var group in synthetic.ForFed(fed).Modules.GroupBy(SyntheticCabling.RocsPerLink))
            {
                var modules = group.ToList();
                for (int i = 0; i + 1 < modules.Count; i += 2)
                    (swap[modules[i]], swap[modules[i + 1]]) = (modules[i + 1], modules[i]);
            }
        return new CablingMap(synthetic.Feds.SelectMany(f => synthetic.ForFed(f).Rocs)
            .Select(r => swap.TryGetValue(r.DetId, out var other) ? r with { DetId = other } : r));
    }

    [Fact]
    public async Task Run_with_a_conditions_cabling_on_the_cluster_gives_payloads_that_read_back_to_the_merged_tables_encoding()
    {
        using var dir = new TempDir();
        var cabling = Swapped();
        var text = Path.Combine(dir.Path, "cabling.txt");
        cabling.Save(text);
        var db = Path.Combine(dir.Path, "cabling.db");
        var convert = Gaincal("cabling", "db", "--text", text, "-o", db, "--tag", "SiPixelFedCablingMap_e2e");
        Assert.True(convert.Exit == 0, convert.Err);

        var input = dir.Sub("in");
        var sim = Gaincal("simulate", input, "--run", $"{Run}", "--feds", "1200,1296", "--rocs-per-fed", "4", "--cabling", db);
        Assert.True(sim.Exit == 0, sim.Err);
        Assert.Contains($"cabling: {db}: SiPixelFedCablingMap 'phase1' of tag SiPixelFedCablingMap_e2e", sim.Out);

        await using var cluster = await LocalCluster.StartAsync(1, dir.Sub("data"), dir.Path, "--cabling", db, "--max-feds", "2", "--fit-workers", "1");
        Assert.Equal(0, (await cluster.RunAsync(1, $"gaincal create {Run} -i {input} -o {dir.Path}/out")).Code);
        Assert.Equal(0, (await cluster.RunAsync(1, $"gaincal submit {Run}")).Code);
        var end = await cluster.WaitAsync(1, Run, s => s.AllEnded && s.MergeCurrent, TimeSpan.FromMinutes(6), "run merged");
        Assert.All(end.Feds, f => Assert.Equal(FedPhase.Done, f.Phase));
        var mergedPath = end.Merge!.MergedPath!;
        var merged = PixelTable.Read(mergedPath);

        // The cluster decoded with the file's cabling: FED by FED with that map gives the same table, the built-in map does not.
        var setup = FedCalibrationSetup.Default with { Cabling = cabling };
        var reference = PixelTable.Merge(Feds.Select(f => new FedPipeline(setup).Run(Path.Combine(input, new GainCal.Dump.DumpFileName(f, Run).FileName)).Table).ToList());
        Assert.True(merged.ContentEquals(reference), "merged table differs from the FED-by-FED calibration with the conditions cabling");
        var modules = Enumerable.Range(0, merged.RowCount).Select(i => merged.DetId[i]).Distinct().ToHashSet();
        var expectedModules = Feds.SelectMany(f => cabling.ForFed(f).Rocs.Take(4)).Select(r => r.DetId.Raw).ToHashSet();
        Assert.Equal(expectedModules, modules);
        Assert.NotEqual(expectedModules, Feds.SelectMany(f => CablingMap.Synthetic().ForFed(f).Rocs.Take(4)).Select(r => r.DetId.Raw).ToHashSet());

        var payloadDir = dir.Sub("payload");
        // The run holds a few FEDs of 108: its merged table is partial, written only with --allow-missing.
        var payload = Gaincal("payload", mergedPath, "2026", "0", "-o", payloadDir, "--kinds", "offline,hlt", "--allow-missing");
        Assert.True(payload.Exit == 0, payload.Err);

        // Every module of both files, through the archive reader, against the encoding of the merged table.
        var expected = GainPayloadBuilder.Build(PayloadInput.Load(mergedPath), [PayloadKind.Offline, PayloadKind.Hlt]);
        foreach (var kind in new[] { PayloadKind.Offline, PayloadKind.Hlt })
        {
            var file = GainPayloadFile.Read(Path.Combine(payloadDir, PayloadKinds.TagName(2026, 0, kind) + ".db"));
            Assert.Equal(18u, file.ArchiveVersion);
            Assert.Equal(kind.ObjectType(), file.Tag.ObjectType);
            var want = expected.Payloads[kind];
            Assert.Equal(DetId.AllModules.Count, file.Payload.Registry.Count);
            Assert.Equal(want.Registry, file.Payload.Registry);
            foreach (var entry in file.Payload.Registry)
            {
                Assert.True(want.ModuleBytes(entry).SequenceEqual(file.Payload.ModuleBytes(entry)), $"{kind} module {entry.DetId}: bytes differ");
                if (!modules.Contains(entry.DetId)) continue;
                for (int col = 0; col < entry.NCols; col++)
                    for (int row = 0; row < PayloadKinds.ModuleRows; row++)
                        Assert.Equal(want.ReadPixel(entry, col, row), file.Payload.ReadPixel(entry, col, row));
            }
            // And one fitted pixel by hand: the offline pedestal is the pixel's own, encoded and decoded.
            if (kind == PayloadKind.Offline)
            {
                int i = Enumerable.Range(0, merged.RowCount).First(i => merged.Status[i] > 0 && file.Payload.Encoding.PedestalInRange(merged.Pedestal[i])
                    && merged.Gain[i] > 0 && file.Payload.Encoding.GainInRange(merged.Gain[i]));
                Assert.True(file.Payload.TryGetModule(merged.DetId[i], out var e));
                var px = file.Payload.ReadPixel(e, merged.ModuleCol[i], merged.ModuleRow[i]);
                var enc = file.Payload.Encoding;
                Assert.Equal(enc.DecodePedestal(enc.EncodePedestal(merged.Pedestal[i])), px.Pedestal);
            }
        }
    }
}
