using GainCal.Calibration;
using GainCal.Cluster;
using GainCal.Detector;
using GainCal.Payloads;
using GainCal.Reports;
using GainCal.Results;

namespace GainCal.Tests.Reports;

/// <summary>The summary's per-module quantities, SUB_ groups, correlations and robust scales on tables small enough to compute by hand.</summary>
public class SummaryQuantitiesTests
{
    private static readonly DetId L1 = DetId.BPix(1, 1, 1);
    private static readonly DetId DiskMinus2Ring2 = DetId.FPix(1, 2, 30, 1);

    /// <summary>status, gain, pedestal, gain error, pedestal error, chi2/ndf, probability, points, high mean, low mean, low point, high point.</summary>
    private static readonly (sbyte S, float G, float P, float Ge, float Pe, float C, float Pr, byte N, float Hi, float Lo, float Lp, float Hp)[] Pixels =
    [
        (1, 100, 20, 1.1e-5f, 0.2f, 1, 0.4f, 10, 200, 30, 1000, 20000),
        (3, 200, 30, 3e-5f, 0.4f, 3, 0.2f, 12, 210, 20, 1400, 24000),
        (1, 1500, 10, 9e-5f, 0.9f, 9, 0.9f, 25, 250, 10, 900, 30000),  // status > 0 but beyond |gain| 1000: high gain, not a good fit
        (-7, 0, 0, 0, 0, 0, 0, 1, 50, 40, 0, 0),                        // early exit: not fitted
        (-2, 0, 0, 0, 0, 0, 0, 15, 255, 250, 0, 0),                     // too many plateau points: not fitted
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),                           // no data
        (5, 400, 40, 2e-5f, 0.3f, 600, 0f, 18, 190, 25, 1200, 22000),  // good fit above the high-gain flag
    ];

    internal static PixelTable HandTable()
    {
        var t = new PixelTable(77, Pixels.Length + 1);
        for (var i = 0; i <= Pixels.Length; i++)
        {
            var (module, p) = i < Pixels.Length ? (L1, Pixels[i]) : (DiskMinus2Ring2, Pixels[0] with { G = 150, P = 25 });
            t.Fed[i] = 1200; t.Link[i] = 1; t.Roc[i] = 1; t.RocRow[i] = (byte)i; t.RocCol[i] = 0;
            t.DetId[i] = module.Raw; t.ModuleRow[i] = (short)i; t.ModuleCol[i] = 0;
            t.Status[i] = p.S; t.Gain[i] = p.G; t.Pedestal[i] = p.P; t.GainError[i] = p.Ge; t.PedestalError[i] = p.Pe;
            t.Chi2Ndf[i] = p.C; t.Probability[i] = p.Pr; t.Points[i] = p.N; t.HighMean[i] = p.Hi; t.LowMean[i] = p.Lo;
            t.LowPoint[i] = p.Lp; t.HighPoint[i] = p.Hp; t.Plateau[i] = p.Hi;
        }
        return t;
    }

    [Fact]
    public void Each_quantity_of_a_module_is_the_macros_mean_computed_by_hand()
    {
        var s = SummaryBuilder.Build(HandTable());
        var m = s.ModuleList.Single(x => x.DetId == L1.Raw);
        double Value(string name) => SummaryQuantities.All.Single(q => q.Name == name).Value(m);
        // Good fits: rows 0, 1 and 6.
        Assert.Equal(3, m.GoodFitPixels);
        Assert.Equal((100 + 200 + 400) / 3.0, Value("Gain"), 9);
        Assert.Equal((20 + 30 + 40) / 3.0, Value("Pedestal"), 9);
        Assert.Equal((1.1e-5f + 3e-5f + (double)2e-5f) / 3, Value("ErrorGain"), 12);
        Assert.Equal((0.2 + 0.4 + 0.3) / 3, Value("ErrorPedestal"), 6);
        // Among the 4 pixels with status > 0, rows 2 (1500) and 6 (400) are above 350.
        Assert.Equal(0.5, Value("frac_gain_high"));
        Assert.Equal((200 + 210 + 190) / 3.0, Value("GainSaturate"), 9);
        Assert.Equal((170 + 190 + 165) / 3.0, Value("GainDynamicRange"), 9);
        Assert.Equal((1000 + 1400 + 1200) / 3.0, Value("GainLowPoint"), 9);
        Assert.Equal((20000 + 24000 + 22000) / 3.0, Value("GainHighPoint"), 9);
        // GainNPoints1d: fitted pixels (not -2, not -7 below 2 points, not 0) on the 0-20 axis: 10, 12, 18 (25 overflows).
        Assert.Equal((10 + 12 + 18) / 3.0, Value("GainNPoints"), 9);
        Assert.Equal((1 + 3 + 600) / 3.0, Value("GainChi2NDF"), 9);
        Assert.Equal((0.4f + 0.2f + 0.0) / 3, Value("GainChi2Prob"), 7);
        Assert.Equal((1 + 3 + 5) / 3.0, Value("GainFitResult"), 9);
        // Bad: -7, -2, 0 and the 66,553 pixels absent from the table.
        Assert.Equal((3 + 66560 - 7) / 66560.0, Value("frac_bad_fit"), 12);
        Assert.Equal(14, SummaryQuantities.All.Count);
        Assert.Equal(["Gain", "Pedestal", "ErrorGain", "ErrorPedestal", "frac_gain_high", "GainSaturate", "GainDynamicRange", "GainLowPoint",
            "GainHighPoint", "GainNPoints", "GainChi2NDF", "GainChi2Prob", "GainFitResult"], SummaryQuantities.All.Take(13).Select(q => q.Name));
    }

    [Fact]
    public void Correlations_hold_each_good_fit_in_its_bin_per_subdetector()
    {
        var s = SummaryBuilder.Build(HandTable());
        var gainPed = s.Correlations[0][0];
        Assert.Equal(3, gainPed.Entries);
        // gain 100 -> bin 25 of 0-400, pedestal 20 -> bin 23 of -50-250 (100 bins each).
        Assert.Equal(1, gainPed[25, 23]);
        Assert.Equal(1, gainPed[50, 26]);
        Assert.Equal(1, gainPed.Outside); // gain 400 is the axis's upper edge
        var errors = s.Correlations[0][3];
        // slope error 1.1e-5 of 0-2e-4 -> bin 5, pedestal error 0.2 of -1..1 -> bin 60.
        Assert.Equal(1, errors[5, 60]);
        Assert.Equal(1, s.Correlations[1][0].Entries);
        Assert.Equal(1, s.Correlations[1][0][37, 25]);
    }

    [Fact]
    public void Subdetector_groups_are_Phase1_layers_and_signed_disks_by_ring()
    {
        Assert.Equal(16, Subdetectors.Count);
        Assert.Equal(["L1", "L2", "L3", "L4", "D-3 R1", "D-3 R2", "D-2 R1", "D-2 R2", "D-1 R1", "D-1 R2", "D+1 R1", "D+1 R2", "D+2 R1", "D+2 R2", "D+3 R1", "D+3 R2"],
            Enumerable.Range(0, 16).Select(Subdetectors.Name));
        Assert.Equal(7, Subdetectors.Of(DiskMinus2Ring2));
        Assert.Equal(15, Subdetectors.Of(DetId.FPix(2, 3, 40, 2)));
        Assert.Equal(10, Subdetectors.Of(DetId.FPix(2, 1, 5, 1)));
        var module = SummaryBuilder.Build(HandTable()).ModuleList[0];
        var three = new[] { 100.0, 200, 300 }.Select((g, i) => module with { DetId = DetId.BPix(1, 2, i + 1).Raw, MeanGain = g })
            .Append(module with { DetId = DiskMinus2Ring2.Raw, MeanGain = 150 })
            .Append(module with { DetId = DetId.BPix(2, 1, 1).Raw, MeanGain = double.NaN });
        var means = Subdetectors.Means(three, m => m.MeanGain);
        Assert.Equal(200, means[0].Value.Mean, 9);
        Assert.Equal(Math.Sqrt(20000 / 3.0), means[0].Value.Rms, 9);
        Assert.Equal(150, means[7].Value.Mean);
        Assert.Equal(0, means[1].Value.Count); // a module without a good fit is left out
    }

    [Fact]
    public void Robust_scale_is_the_2_to_98_percentile_and_never_narrower_than_the_quantitys_noise()
    {
        var spread = RobustRange.Of(Enumerable.Range(0, 101).Select(i => (double)i), 2, _ => 5)!.Value;
        Assert.Equal((2.0, 98.0, false), (spread.Low, spread.High, spread.Widened));
        var withOutlier = RobustRange.Of(Enumerable.Range(0, 100).Select(i => 150.0 + i * 0.5).Append(5000), 2, _ => 10)!.Value;
        Assert.True(withOutlier.High < 200, $"an outlier module stretched the scale to {withOutlier.High}");
        // Pedestal means within 0.12 ADC of each other: the 25.00-25.12 ADC map.
        var pedestal = SummaryQuantities.All.Single(q => q.Name == "Pedestal");
        var flat = RobustRange.Of(Enumerable.Range(0, 50).Select(i => 25 + i * 0.12 / 49), 2, pedestal.MinimumSpan)!.Value;
        Assert.True(flat.Widened);
        Assert.Equal(5, flat.High - flat.Low, 9);
        Assert.InRange(25.06, flat.Low, flat.High);
        Assert.Null(RobustRange.Of([double.NaN], 2, _ => 1));
    }

    [Fact]
    public void Merge_summary_payload_and_compare_count_the_same_good_fits()
    {
        var t = SyntheticTables.Modules(88, [L1]);
        // Planted: status > 0 beyond the limits (gain and pedestal), and failed fits; the plain status > 0 count differs.
        for (var i = 0; i < 300; i++) t.Gain[i] = 1200;
        for (var i = 300; i < 500; i++) t.Pedestal[i] = -260;
        for (var i = 500; i < 900; i++) t.Status[i] = -7;
        const long expected = 66560 - 300 - 200 - 400;
        var fits = Enumerable.Range(0, t.RowCount).Select(i => new PixelFit { Status = (FitStatus)t.Status[i], Gain = t.Gain[i], Pedestal = t.Pedestal[i] }).ToArray();
        var builder = new PixelStatsBuilder();
        builder.Add(new PatternFits(1200, 0, fits));
        var merge = builder.Build(t.RowCount);
        Assert.Equal(expected, merge.GoodFits);
        Assert.Contains($"good fits {expected:N0} ", merge.ToText());
        Assert.Equal(expected, PixelStats.Combine([merge]).GoodFits);
        Assert.Equal(expected, t.Summarize().Good);
        Assert.Equal(expected, SummaryBuilder.Build(t).GoodFitPixels);
        Assert.Equal(expected, GainPayloadBuilder.Build(PayloadInput.FromTable(t, "test"), [PayloadKind.Offline], modules: [L1]).Summary.PixelsGoodFit);
        var compared = RunComparison.Compare(t, t);
        Assert.Equal((expected, expected), (compared.GoodFitA, compared.GoodFitB));
        Assert.NotEqual(expected, t.Rows().LongCount(r => r.Status > 0));
    }
}
