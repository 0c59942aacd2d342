using GainCal.Detector;

namespace GainCal.Tests.Detector;

public class CablingMapTests
{
    private static readonly CablingMap Map = CablingMap.Synthetic();

    private static IEnumerable<CabledRoc> AllRocs(CablingMap map) => map.Feds.SelectMany(f => map.ForFed(f).Rocs);

    [Fact]
    public void Synthetic_covers_all_108_feds_and_every_module_roc_exactly_once()
    {
        Assert.Equal(PixelFeds.All, Map.Feds);
        var rocs = AllRocs(Map).ToList();
        Assert.Equal(29_696, rocs.Count);
        Assert.Equal(29_696, Map.RocCount);
        var perModule = rocs.GroupBy(r => r.DetId).ToDictionary(g => g.Key, g => g.Select(r => r.IdInDetUnit).Order().ToArray());
        Assert.Equal(DetId.AllModules.ToHashSet(), perModule.Keys.ToHashSet());
        Assert.All(perModule.Values, ids => Assert.Equal(Enumerable.Range(0, 16), ids));
        // Every module on a single FED.
        Assert.All(rocs.GroupBy(r => r.DetId), g => Assert.Single(g.Select(r => r.Fed).Distinct()));
    }

    [Fact]
    public void Synthetic_respects_fed_type_link_limits_and_rocs_per_link()
    {
        foreach (int fed in Map.Feds)
        {
            var cabling = Map.ForFed(fed);
            Assert.Equal(fed, cabling.Fed);
            Assert.InRange(cabling.LinkCount, 1, 48);
            Assert.All(cabling.Rocs, r => Assert.Equal(PixelFeds.IsBPix(fed), r.DetId.IsBPix));
            // Links numbered 1..LinkCount without gaps.
            Assert.Equal(Enumerable.Range(1, cabling.LinkCount), cabling.Rocs.Select(r => r.Link).Distinct());
            foreach (var link in cabling.Rocs.GroupBy(r => r.Link))
            {
                var module = Assert.Single(link.Select(r => r.DetId).Distinct());
                int expectedRocs = module.IsFPix ? 8 : module.Layer switch { 1 => 2, 2 => 4, _ => 8 };
                Assert.Equal(Enumerable.Range(1, expectedRocs), link.Select(r => r.Roc));
                int firstId = link.First().IdInDetUnit;
                Assert.Equal(0, firstId % expectedRocs);
                Assert.Equal(Enumerable.Range(firstId, expectedRocs), link.Select(r => r.IdInDetUnit));
            }
        }
        Assert.Equal(3392, PixelFeds.BPix.Sum(f => Map.ForFed(f).LinkCount));
        Assert.All(PixelFeds.FPix, f => Assert.Equal(48, Map.ForFed(f).LinkCount));
        Assert.All(PixelFeds.FPix, f => Assert.Equal(24, Map.ForFed(f).Modules.Count));
    }

    [Fact]
    public void Synthetic_is_geographic_per_half_shell_and_half_cylinder()
    {
        // Block of 10 BPix FEDs -> one half-shell, half of its sectors; block of 7 FPix FEDs -> one half-cylinder.
        string[] halves = ["mO", "mI", "pO", "pI"];
        for (int i = 0; i < 80; i++)
        {
            var names = Map.ForFed(PixelFeds.BPix[i]).Modules.Select(d => d.ModuleName).ToList();
            Assert.All(names, n => Assert.StartsWith($"BPix_B{halves[i / 20]}_SEC", n));
            int firstSector = (i / 10) % 2 * 4 + (i % 10) / 5 * 2 + 1;
            Assert.All(names, n => Assert.InRange(n[12] - '0', firstSector, firstSector + 1));
        }
        for (int i = 0; i < 28; i++)
            Assert.All(Map.ForFed(PixelFeds.FPix[i]).Modules, d => Assert.StartsWith($"FPix_B{halves[i / 7]}_", d.ModuleName));
        // Layers per FED come from the cabling: every layer and every disk is read by some FED.
        var layers = PixelFeds.BPix.SelectMany(f => Map.ForFed(f).Modules.Select(d => d.Layer)).ToHashSet();
        var disks = PixelFeds.FPix.SelectMany(f => Map.ForFed(f).Modules.Select(d => d.Disk)).ToHashSet();
        Assert.Equal([1, 2, 3, 4], layers.Order());
        Assert.Equal([1, 2, 3], disks.Order());
    }

    [Fact]
    public void Synthetic_first_and_last_links_follow_the_documented_order()
    {
        // BPix: half-shell mO, sector 1, layer 1, ladder name 1, lowest module name in sector 1 (MOD2).
        var first = Map.ForFed(1200).Rocs[0];
        Assert.Equal((1, 1, 0), (first.Link, first.Roc, first.IdInDetUnit));
        Assert.Equal("BPix_BmO_SEC1_LYR1_LDR1F_MOD2", first.DetId.ModuleName);
        Assert.Equal((1, 2, 1), (Map.ForFed(1200).Rocs[1].Link, Map.ForFed(1200).Rocs[1].Roc, Map.ForFed(1200).Rocs[1].IdInDetUnit));
        Assert.Equal((2, 1, 2), (Map.ForFed(1200).Rocs[2].Link, Map.ForFed(1200).Rocs[2].Roc, Map.ForFed(1200).Rocs[2].IdInDetUnit));
        // FPix: half-cylinder pI, disk 3, ring 2, blade name 17, panel 2 is the last module of the last FED.
        var last = Map.ForFed(1338).Rocs[^1];
        Assert.Equal((48, 8, 15), (last.Link, last.Roc, last.IdInDetUnit));
        Assert.Equal("FPix_BpI_D3_BLD17_PNL2_RNG2", last.DetId.ModuleName);
        // Every BPix FED reads more than one layer.
        Assert.All(PixelFeds.BPix, f => Assert.True(Map.ForFed(f).Modules.Select(d => d.Layer).Distinct().Count() >= 2));
    }

    [Fact]
    public void Synthetic_is_deterministic()
    {
        var a = Path.GetTempFileName();
        var b = Path.GetTempFileName();
        try
        {
            CablingMap.Synthetic().Save(a);
            new CablingMap(AllRocs(Map).Reverse()).Save(b);
            Assert.Equal(File.ReadAllText(a), File.ReadAllText(b));
        }
        finally
        {
            File.Delete(a);
            File.Delete(b);
        }
    }

    [Fact]
    public void RocIndex_is_the_list_position_and_minus_one_elsewhere()
    {
        foreach (int fed in Map.Feds)
        {
            var cabling = Map.ForFed(fed);
            var cabled = new HashSet<(int, int)>();
            for (int i = 0; i < cabling.Rocs.Count; i++)
            {
                var roc = cabling.Rocs[i];
                Assert.Equal(i, cabling.RocIndex(roc.Link, roc.Roc));
                Assert.Same(roc, cabling[i]);
                Assert.Equal(roc.DetId.IsBPix && roc.DetId.Layer == 1, cabling.IsLayer1(i));
                cabled.Add((roc.Link, roc.Roc));
                if (i > 0)
                    Assert.True((cabling.Rocs[i - 1].Link, cabling.Rocs[i - 1].Roc).CompareTo((roc.Link, roc.Roc)) < 0);
            }
            for (int link = -2; link < 70; link++)
                for (int roc = -2; roc < 40; roc++)
                    if (!cabled.Contains((link, roc)))
                        Assert.Equal(-1, cabling.RocIndex(link, roc));
        }
        Assert.Equal(-1, Map.ForFed(1200).RocIndex(int.MaxValue, 1));
        Assert.Equal(-1, Map.ForFed(1200).RocIndex(1, int.MinValue));
    }

    [Fact]
    public void Layer1_rocs_are_flagged()
    {
        var rocs = AllRocs(Map).ToList();
        Assert.Equal(96 * 16, rocs.Count(r => r.IsLayer1));
        Assert.All(rocs, r => Assert.Equal(r.DetId.IsBPix && r.DetId.Layer == 1, r.IsLayer1));
    }

    [Fact]
    public void Reverse_lookup_finds_each_roc()
    {
        foreach (var roc in AllRocs(Map))
        {
            Assert.True(Map.TryLocate(roc.DetId, roc.IdInDetUnit, out var found));
            Assert.Same(roc, found);
        }
        Assert.False(Map.TryLocate(DetId.BPix(1, 1, 1), 16, out _));
    }

    [Fact]
    public void Unknown_fed_is_an_argument_error_naming_it()
    {
        var map = new CablingMap([new CabledRoc(1200, 1, 1, DetId.BPix(1, 1, 1), 0)]);
        Assert.True(map.Contains(1200));
        Assert.False(map.Contains(1201));
        var error = Assert.Throws<ArgumentException>(() => map.ForFed(1201));
        Assert.Contains("1201", error.Message);
    }

    [Fact]
    public void Constructor_rejects_impossible_cabling()
    {
        var module = DetId.BPix(2, 3, 4);
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => new CablingMap(
            [new CabledRoc(1200, 1, 1, module, 0), new CabledRoc(1201, 1, 1, module, 0)])).Message);
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => new CablingMap(
            [new CabledRoc(1200, 1, 1, module, 0), new CabledRoc(1200, 1, 1, module, 1)])).Message);
        Assert.Contains("link 49", Assert.Throws<ArgumentException>(() => new CablingMap(
            [new CabledRoc(1200, 49, 1, module, 0)])).Message);
        Assert.Contains("ROC 9", Assert.Throws<ArgumentException>(() => new CablingMap(
            [new CabledRoc(1200, 1, 9, module, 0)])).Message);
        Assert.Contains("FPix FED 1296", Assert.Throws<ArgumentException>(() => new CablingMap(
            [new CabledRoc(1296, 1, 1, module, 0)])).Message);
        Assert.Contains("not a pixel FED", Assert.Throws<ArgumentException>(() => new CablingMap(
            [new CabledRoc(1210, 1, 1, module, 0)])).Message);
        Assert.Contains("idInDetUnit 16", Assert.Throws<ArgumentException>(() => new CablingMap(
            [new CabledRoc(1200, 1, 1, module, 16)])).Message);
    }
}
