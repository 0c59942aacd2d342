using GainCal.Detector;

namespace GainCal.Tests.Detector;

public class DetIdTests
{
    [Fact]
    public void BPix_example_from_the_reference_scripts()
    {
        var id = DetId.BPix(1, 1, 1);
        Assert.Equal(303042564u, id.Raw);
        Assert.Equal(0x12000000u + (1u << 20) + (1u << 12) + (1u << 2), id.Raw);
        Assert.True(id.IsBPix);
        Assert.False(id.IsFPix);
        Assert.Equal((1, 1, 1), (id.Layer, id.Ladder, id.Module));
        Assert.Equal((0, 0, 0, 0, 0), (id.Side, id.Disk, id.Blade, id.Panel, id.Ring));
        Assert.Equal("BPix_BmI_SEC3_LYR1_LDR3F_MOD4", id.ModuleName);
    }

    [Fact]
    public void FPix_example_side1_disk1_blade6_panel1()
    {
        var id = DetId.FPix(1, 1, 6, 1);
        Assert.Equal(344220676u, id.Raw);
        Assert.True(id.IsFPix);
        Assert.False(id.IsBPix);
        Assert.Equal((1, 1, 6, 1, 1, 1), (id.Side, id.Disk, id.Blade, id.Panel, id.Module, id.Ring));
        Assert.Equal((0, 0), (id.Layer, id.Ladder));
        Assert.Equal("FPix_BmI_D1_BLD1_PNL1_RNG1", id.ModuleName);
    }

    [Theory]
    // Corrected example of domain 14.6: offline ladder 3, module 4.
    [InlineData(1, 3, 4, "BPix_BmI_SEC2_LYR1_LDR1F_MOD1")]
    [InlineData(1, 4, 5, "BPix_BpO_SEC2_LYR1_LDR1F_MOD1")]
    [InlineData(1, 12, 8, "BPix_BpI_SEC5_LYR1_LDR4F_MOD4")]
    [InlineData(2, 8, 1, "BPix_BmO_SEC1_LYR2_LDR1F_MOD4")]
    [InlineData(2, 22, 6, "BPix_BpI_SEC8_LYR2_LDR14F_MOD2")]
    [InlineData(3, 33, 7, "BPix_BpO_SEC8_LYR3_LDR22F_MOD3")]
    [InlineData(3, 34, 2, "BPix_BmI_SEC8_LYR3_LDR22F_MOD3")]
    [InlineData(4, 1, 4, "BPix_BmI_SEC4_LYR4_LDR16F_MOD1")]
    [InlineData(4, 64, 5, "BPix_BpI_SEC5_LYR4_LDR17F_MOD1")]
    public void BPix_names_follow_the_PixelBarrelName_rules(int layer, int ladder, int module, string name)
    {
        Assert.Equal(name, DetId.BPix(layer, ladder, module).ModuleName);
    }

    [Theory]
    [InlineData(2, 3, 7, 2, "FPix_BpO_D3_BLD1_PNL2_RNG1")]
    [InlineData(1, 2, 17, 1, "FPix_BmO_D2_BLD11_PNL1_RNG1")]
    [InlineData(1, 1, 18, 1, "FPix_BmI_D1_BLD11_PNL1_RNG1")]
    [InlineData(1, 1, 22, 2, "FPix_BmI_D1_BLD7_PNL2_RNG1")]
    [InlineData(2, 1, 23, 1, "FPix_BpI_D1_BLD9_PNL1_RNG2")]
    [InlineData(2, 2, 31, 1, "FPix_BpI_D2_BLD1_PNL1_RNG2")]
    [InlineData(1, 3, 48, 2, "FPix_BmO_D3_BLD17_PNL2_RNG2")]
    [InlineData(1, 3, 49, 2, "FPix_BmI_D3_BLD17_PNL2_RNG2")]
    [InlineData(2, 3, 56, 1, "FPix_BpI_D3_BLD10_PNL1_RNG2")]
    public void FPix_names_follow_the_PixelEndcapName_table(int side, int disk, int blade, int panel, string name)
    {
        Assert.Equal(name, DetId.FPix(side, disk, blade, panel).ModuleName);
    }

    [Fact]
    public void All_modules_counts_and_order()
    {
        var all = DetId.AllModules;
        Assert.Equal(1856, all.Count);
        Assert.Equal(1856, all.Distinct().Count());
        Assert.Equal(1184, all.Count(d => d.IsBPix));
        Assert.Equal(672, all.Count(d => d.IsFPix));
        int[] ladders = [12, 28, 44, 64];
        for (int layer = 1; layer <= 4; layer++)
        {
            Assert.Equal(ladders[layer - 1] * 8, all.Count(d => d.Layer == layer));
            Assert.Equal(ladders[layer - 1], all.Where(d => d.Layer == layer).Select(d => d.Ladder).Distinct().Count());
        }
        Assert.All(all.Where(d => d.IsBPix), d => Assert.InRange(d.Module, 1, 8));
        for (int side = 1; side <= 2; side++)
            for (int disk = 1; disk <= 3; disk++)
                Assert.Equal(112, all.Count(d => d.Side == side && d.Disk == disk));
        Assert.Equal(DetId.BPix(1, 1, 1), all[0]);
        Assert.Equal(DetId.BPix(4, 64, 8), all[1183]);
        Assert.Equal(DetId.FPix(1, 1, 1, 1), all[1184]);
        Assert.Equal(DetId.FPix(2, 3, 56, 2), all[^1]);
        Assert.All(all, d => Assert.True(d.IsPhase1Module));
    }

    [Fact]
    public void FPix_ring_is_1_for_blades_1_to_22_and_2_for_23_to_56()
    {
        for (int blade = 1; blade <= 56; blade++)
            Assert.Equal(blade <= 22 ? 1 : 2, DetId.FPix(2, 2, blade, 2).Ring);
        // Per half-cylinder and disk: 11 ring-1 and 17 ring-2 blade names, two panels each.
        foreach (var group in DetId.AllModules.Where(d => d.IsFPix).GroupBy(d => d.ModuleName[..8] + d.Disk))
        {
            Assert.Equal(22, group.Count(d => d.Ring == 1));
            Assert.Equal(34, group.Count(d => d.Ring == 2));
        }
    }

    [Fact]
    public void Names_are_unique_and_parse_back_to_the_same_module()
    {
        var names = DetId.AllModules.Select(d => d.ModuleName).ToList();
        Assert.Equal(1856, names.Distinct().Count());
        foreach (var id in DetId.AllModules)
        {
            Assert.True(DetId.TryParseModuleName(id.ModuleName, out var parsed), id.ModuleName);
            Assert.Equal(id, parsed);
        }
    }

    [Theory]
    [InlineData("BPix_BmI_SEC1_LYR1_LDR1F_MOD1")]   // sector inconsistent with ladder/module
    [InlineData("BPix_BmI_SEC3_LYR1_LDR3_MOD4")]    // missing F
    [InlineData("BPix_BmI_SEC3_LYR1_LDR7F_MOD4")]   // layer 1 has 6 ladders per shell
    [InlineData("BPix_BmI_SEC3_LYR5_LDR3F_MOD4")]
    [InlineData("BPix_BmI_SEC3_LYR1_LDR3F_MOD5")]
    [InlineData("BPix_BxI_SEC3_LYR1_LDR3F_MOD4")]
    [InlineData("FPix_BmI_D1_BLD12_PNL1_RNG1")]     // ring 1 has 11 blade names
    [InlineData("FPix_BmI_D4_BLD1_PNL1_RNG1")]
    [InlineData("FPix_BmI_D1_BLD1_PNL3_RNG1")]
    [InlineData("FPix_BmI_D1_BLD1_PNL1_RNG3")]
    [InlineData("FPix_BmI_D1_BLD1_PNL1_PLQ1")]
    [InlineData("FPix_BmI_D1_BLD+1_PNL1_RNG1")]
    [InlineData("")]
    [InlineData("303042564")]
    public void Malformed_or_nonexistent_names_are_rejected(string name)
    {
        Assert.False(DetId.TryParseModuleName(name, out _));
    }

    [Fact]
    public void BPix_shells_and_sectors_hold_the_expected_module_counts()
    {
        // Per half-shell and layer: ladders per sector from the PixelBarrelName sector tables, times 4 modules.
        int[][] laddersPerSector =
        [
            [],
            [],
            [2, 2, 1, 2, 2, 1, 2, 2],
            [2, 3, 3, 3, 3, 3, 3, 2],
            [4, 4, 4, 4, 4, 4, 4, 4],
        ];
        var barrel = DetId.AllModules.Where(d => d.IsBPix).Select(d => (d.Layer, Name: d.ModuleName)).ToList();
        foreach (string shell in new[] { "BmO", "BmI", "BpO", "BpI" })
            for (int layer = 1; layer <= 4; layer++)
                for (int sector = 1; sector <= 8; sector++)
                {
                    int count = barrel.Count(m => m.Layer == layer && m.Name.StartsWith($"BPix_{shell}_SEC{sector}_", StringComparison.Ordinal));
                    // Layer 1: 24 modules per half-shell, spread 3 per sector because ladders straddle sectors.
                    Assert.Equal(layer == 1 ? 3 : laddersPerSector[layer][sector - 1] * 4, count);
                }
    }

    [Fact]
    public void Factories_reject_out_of_range_fields()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DetId.BPix(0, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DetId.BPix(1, 13, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DetId.BPix(4, 64, 9));
        Assert.Throws<ArgumentOutOfRangeException>(() => DetId.FPix(3, 1, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DetId.FPix(1, 1, 57, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DetId.FPix(1, 1, 1, 1, 2));
        Assert.Equal(DetId.FPix(2, 3, 56, 2), DetId.FPix(2, 3, 56, 2, 1));
    }

    [Fact]
    public void Non_pixel_ids_have_no_fields_and_say_so()
    {
        var strip = new DetId(0x16000000u | 12345u);   // TIB-like sub-detector 3
        Assert.False(strip.IsBPix || strip.IsFPix || strip.IsPhase1Module);
        Assert.Equal(0, strip.Layer + strip.Ladder + strip.Module + strip.Side + strip.Disk + strip.Blade + strip.Panel + strip.Ring);
        Assert.StartsWith("NotAPixelModule_", strip.ModuleName);
        Assert.False(new DetId(DetId.BPix(1, 1, 1).Raw | 1u).IsPhase1Module);   // stray low bit
        Assert.False(new DetId(DetId.BPix(1, 1, 1).Raw + (12u << 12)).IsPhase1Module); // ladder 13 on layer 1
    }
}
