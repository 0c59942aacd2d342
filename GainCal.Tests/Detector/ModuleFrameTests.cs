using GainCal.Detector;

namespace GainCal.Tests.Detector;

public class ModuleFrameTests
{
    [Theory]
    [InlineData(FrameRule.A)]
    [InlineData(FrameRule.B)]
    public void Every_roc_pixel_maps_to_a_distinct_module_pixel_covering_the_module(FrameRule rule)
    {
        var hit = new bool[160, 416];
        int count = 0;
        for (int roc = 0; roc < 16; roc++)
            for (int row = 0; row < 80; row++)
                for (int col = 0; col < 52; col++)
                {
                    var (r, c) = ModuleFrame.ToModule(rule, roc, row, col);
                    Assert.InRange(r, 0, 159);
                    Assert.InRange(c, 0, 415);
                    Assert.False(hit[r, c], $"rule {rule}: module pixel ({r},{c}) reached twice");
                    hit[r, c] = true;
                    count++;
                }
        Assert.Equal(160 * 416, count);
    }

    [Fact]
    public void Rule_A_corners()
    {
        // ROC 0: upper half (rows 80-159), columns 0-51, local rows inverted.
        Assert.Equal((159, 0), ModuleFrame.ToModule(FrameRule.A, 0, 0, 0));
        Assert.Equal((80, 51), ModuleFrame.ToModule(FrameRule.A, 0, 79, 51));
        Assert.Equal((159, 7 * 52), ModuleFrame.ToModule(FrameRule.A, 7, 0, 0));
        // ROC 8: lower half, columns 364-415, local columns inverted.
        Assert.Equal((0, 415), ModuleFrame.ToModule(FrameRule.A, 8, 0, 0));
        Assert.Equal((79, 364), ModuleFrame.ToModule(FrameRule.A, 8, 79, 51));
        Assert.Equal((0, 51), ModuleFrame.ToModule(FrameRule.A, 15, 0, 0));
    }

    [Fact]
    public void Rule_B_is_rule_A_rotated_by_180_degrees()
    {
        for (int roc = 0; roc < 16; roc++)
            for (int row = 0; row < 80; row += 7)
                for (int col = 0; col < 52; col += 5)
                {
                    var (ra, ca) = ModuleFrame.ToModule(FrameRule.A, roc, row, col);
                    Assert.Equal((159 - ra, 415 - ca), ModuleFrame.ToModule(FrameRule.B, roc, row, col));
                }
        Assert.Equal((0, 415), ModuleFrame.ToModule(FrameRule.B, 0, 0, 0));
    }

    [Fact]
    public void Rule_per_module_follows_the_layer_aware_frame_conversion()
    {
        foreach (var id in DetId.AllModules)
        {
            var expected = id.IsBPix && (id.Layer == 1 || id.Module >= 5) ? FrameRule.A : FrameRule.B;
            Assert.Equal(expected, ModuleFrame.RuleOf(id));
        }
        Assert.Equal(FrameRule.A, ModuleFrame.RuleOf(DetId.BPix(1, 5, 2)));
        Assert.Equal(FrameRule.A, ModuleFrame.RuleOf(DetId.BPix(3, 5, 5)));
        Assert.Equal(FrameRule.B, ModuleFrame.RuleOf(DetId.BPix(3, 5, 4)));
        Assert.Equal(FrameRule.B, ModuleFrame.RuleOf(DetId.FPix(2, 1, 30, 2)));
        Assert.Equal(96 + (224 + 352 + 512) / 2, DetId.AllModules.Count(d => ModuleFrame.RuleOf(d) == FrameRule.A));
    }

    [Fact]
    public void Cabled_roc_uses_its_module_rule_and_position()
    {
        var layer1 = new CabledRoc(1200, 1, 1, DetId.BPix(1, 1, 1), 8);
        Assert.True(layer1.IsLayer1);
        Assert.Equal(FrameRule.A, layer1.Rule);
        Assert.Equal((5, 415 - 7), layer1.ToModule(5, 7));

        var fpix = new CabledRoc(1296, 1, 1, DetId.FPix(1, 1, 1, 1), 3);
        Assert.False(fpix.IsLayer1);
        Assert.Equal(FrameRule.B, fpix.Rule);
        Assert.Equal((5, 52 * 5 - 1 - 7), fpix.ToModule(5, 7));

        Assert.False(new CabledRoc(1200, 1, 1, DetId.BPix(2, 1, 1), 0).IsLayer1);
    }
}
