using GainCal.Detector;
using GainCal.Reports;

namespace GainCal.Tests.Reports;

public class SummaryBuilderTests
{
    private static readonly DetId L1 = DetId.BPix(1, 3, 4);
    private static readonly DetId L3 = DetId.BPix(3, 5, 2);
    private static readonly DetId D2 = DetId.FPix(2, 2, 30, 1);
    private static readonly DetId D1 = DetId.FPix(1, 1, 6, 2);

    [Fact]
    public void Planted_dead_roc_tops_the_failing_list_and_the_counts_match()
    {
        var t = SyntheticTables.Modules(321, [L1, L3, D1, D2]);
        Assert.Equal(4160, SyntheticTables.KillRoc(t, L3, 5, 0, -7));
        // A partly failing ROC (150 of 4160) on another module: the reference's badFitsROCs log lists this one only.
        var partial = 0;
        for (var i = 0; i < t.RowCount && partial < 150; i++)
            if (t.DetId[i] == D2.Raw && t.ModuleCol[i] / 52 + 8 * (t.ModuleRow[i] / 80) == 12) { t.Status[i] = -8; partial++; }

        var s = SummaryBuilder.Build(t);

        Assert.Equal(4, s.Modules);
        Assert.Equal(4L * 66560, s.Pixels);
        Assert.Equal(2080, s.StatusCounts[0]);
        Assert.Equal(2080, s.StatusCounts[7]);
        Assert.Equal(150, s.StatusCounts[8]);
        Assert.Equal(4L * 66560 - 4160 - 150, s.StatusCounts[1]);
        Assert.Equal(2L * 66560 - 4160, s.BPixGoodFitPixels);
        Assert.Equal(2L * 66560 - 150, s.FPixGoodFitPixels);

        var top = s.Rocs[0];
        Assert.Equal(L3.Raw, top.DetId);
        Assert.Equal(5, top.Position);
        Assert.Equal(4160, top.BadFits);
        Assert.True(top.Dead);
        Assert.Equal(L3.ModuleName, top.ModuleName);
        Assert.Equal(D2.Raw, s.Rocs[1].DetId);
        Assert.Equal(150, s.Rocs[1].BadFits);
        Assert.Equal(2, s.Rocs.Count);

        var log = SummaryText.BadFitRocLog(s);
        Assert.Equal($"{D2.Raw} ROC 12 :   150 pixels with bad fits\n", log);

        var l3 = s.ModuleList.Single(m => m.DetId == L3.Raw);
        Assert.Equal(4160, l3.BadFits);
        Assert.Equal(4160.0 / 66560, l3.FractionBadFit, 12);
        Assert.Equal(SyntheticTables.GainMean, s.Gain[0].Mean, 0);
        Assert.InRange(s.Gain[0].Rms, SyntheticTables.GainSigma * 0.98, SyntheticTables.GainSigma * 1.02);
        Assert.InRange(s.Pedestal[1].Mean, SyntheticTables.PedestalMean - 0.1, SyntheticTables.PedestalMean + 0.1);
        Assert.Equal(1, s.Parts[0].Modules);
        Assert.Equal(4160, s.Parts[2].BadFits);
        Assert.Equal(150, s.Parts[DetectorPart.Of(D2)].BadFits);
    }

    [Fact]
    public void Pixels_absent_from_the_table_count_as_status_zero_like_empty_histogram_bins()
    {
        var full = SyntheticTables.Modules(7, [L1]);
        var t = SyntheticTables.Without(full, i => full.ModuleCol[i] / 52 + 8 * (full.ModuleRow[i] / 80) == 9);
        var s = SummaryBuilder.Build(t);
        Assert.Equal(66560, s.Pixels);
        Assert.Equal(4160, s.StatusCounts[0]);
        var roc = Assert.Single(s.Rocs);
        Assert.Equal(9, roc.Position);
        Assert.Equal(-1, roc.Fed);
        Assert.True(roc.Dead);
    }

    [Fact]
    public void High_gain_and_outliers_follow_the_macro_thresholds()
    {
        var t = SyntheticTables.Modules(8, [L1]);
        // 10 pixels of ROC 0 at gain 400 (high, kept), 3 at 1200 (high and outlier), 2 with pedestal 300 (outlier only).
        for (var i = 0; i < 10; i++) t.Gain[i] = 400;
        for (var i = 10; i < 13; i++) t.Gain[i] = 1200;
        for (var i = 13; i < 15; i++) t.Pedestal[i] = 300;
        var s = SummaryBuilder.Build(t);
        Assert.Equal(13, s.HighGainPixels);
        Assert.Equal(5, s.OutlierPixels);
        Assert.Equal(66560 - 5, s.GoodFitPixels);
        var roc = Assert.Single(s.Rocs);
        Assert.Equal(10, roc.HighGain);
        Assert.True(roc.InReferenceHighGainLog);
        Assert.Contains("ROC  0 :    10 pixels with gains > 350", SummaryText.HighGainRocLog(s));
        Assert.Equal(1200, s.FittedGain[0].Max);
    }

    [Fact]
    public void Summary_text_has_the_reference_lines()
    {
        var s = SummaryBuilder.Build(SyntheticTables.Modules(9, [L1, D1]));
        var text = SummaryText.Summary(s);
        Assert.StartsWith("Looked @ 2 modules\nTotal number of pixels with good fit : 133120 over 133120 -> 100 %\n", text);
        Assert.Contains("Number of pixels with |status| = 1 :   133120\n", text);
        Assert.Contains("Number of  pixels with gain > 1000 || fabs(ped) > 250 :   0\n", text);
        Assert.Contains("Number of    ROCs with gain > 350 :   0\n", text);
    }
}
