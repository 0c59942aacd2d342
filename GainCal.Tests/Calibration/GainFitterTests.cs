using GainCal.Calibration;

namespace GainCal.Tests.Calibration;

public class GainFitterTests
{
    private static readonly int[] VCal = CalibrationPattern.Default.VCalValues.ToArray();
    // x = 6.5 * 40 * VCal - 260 = 260 (VCal - 1) electrons: integer ADC lines are then exact.
    private static readonly VCalConversion Conv = new(40, -260);

    private static GainFitter Fitter(FitSettings? settings = null) => new(CalibrationPattern.Default, settings ?? FitSettings.Production);

    /// <summary>SiPixelCalibDigi content for the given ADC values per VCal point.</summary>
    private static (byte[] N, uint[] S, uint[] Q) Accumulate(IReadOnlyList<int[]> adcs)
    {
        var n = new byte[adcs.Count]; var s = new uint[adcs.Count]; var q = new uint[adcs.Count];
        for (int i = 0; i < adcs.Count; i++)
        {
            n[i] = (byte)adcs[i].Length;
            foreach (var a in adcs[i]) { s[i] += (uint)a; q[i] += (uint)(a * a); }
        }
        return (n, s, q);
    }

    private static int[][] Repeated(IEnumerable<int> adcPerPoint, int repeat = 5) =>
        adcPerPoint.Select(a => Enumerable.Repeat(a, repeat).ToArray()).ToArray();

    private static PixelFit Fit(IReadOnlyList<int[]> adcs, FitSettings? settings = null, VCalConversion? conv = null)
    {
        var (n, s, q) = Accumulate(adcs);
        return Fitter(settings).Fit(n, s, q, conv ?? Conv);
    }

    /// <summary>ADC = min(pedestal + 4 (VCal - 1), 255): gain 65 e-/ADC with Conv.</summary>
    private static int[] Saturating(int pedestal = 20) => VCal.Select(v => Math.Min(pedestal + 4 * (v - 1), 255)).ToArray();

    private static double X(int i, VCalConversion c) => VCal[i] * 6.5 * c.Slope + c.Offset;

    /// <summary>Weighted least squares from raw sums (determinant form), independent of the fitter's centred form.</summary>
    private static (double P0, double P1, double E0, double E1, double Chi2) ClosedForm(double[] x, double[] y, double[] w)
    {
        double s = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += w[i]; sx += w[i] * x[i]; sy += w[i] * y[i]; sxx += w[i] * x[i] * x[i]; sxy += w[i] * x[i] * y[i];
        }
        double d = s * sxx - sx * sx;
        double p1 = (s * sxy - sx * sy) / d, p0 = (sxx * sy - sx * sxy) / d;
        double chi2 = 0;
        for (int i = 0; i < x.Length; i++) chi2 += w[i] * Math.Pow(y[i] - p0 - p1 * x[i], 2);
        return (p0, p1, Math.Sqrt(sxx / d), Math.Sqrt(s / d), chi2);
    }

    private static (float Mean, double Error) MeanAndError(int[] adc)
    {
        float n = adc.Length;
        float mean = adc.Sum() / n;
        float meanSq = adc.Sum(a => a * a) / n;
        return (mean, Math.Sqrt(meanSq - (double)mean * mean) / Math.Sqrt(adc.Length));
    }

    private static void Close(double expected, double actual, double rel = 1e-6) =>
        Assert.True(Math.Abs(actual - expected) <= rel * Math.Abs(expected), $"expected {expected:R}, got {actual:R}");

    [Fact]
    public void Noise_free_saturating_response_gives_back_gain_and_pedestal()
    {
        var f = Fit(Repeated(Saturating()));
        Assert.Equal(FitStatus.Ok, f.Status);
        Close(65, f.Gain);
        Close(20, f.Pedestal);
        Assert.Equal(255f, f.Plateau);
        // VCal 6..42 selected: VCal 49 (212 ADC) is above 0.8 * 255.
        Assert.Equal(14, f.Points);
        Assert.Equal((float)X(0, Conv), f.LowPoint);
        Assert.Equal((float)X(13, Conv), f.HighPoint);
        Assert.Equal(40f, f.LowMean);
        Assert.Equal(255f, f.HighMean);
        Assert.True(f.Chi2Ndf < 1e-12);
        // No error anywhere: unweighted fit, errors scaled by sqrt(chi2/ndf), i.e. (nearly) zero.
        Assert.True(f.GainError < 1e-9 && f.PedestalError < 1e-6);
        Assert.True(f.IsGood);
    }

    [Fact]
    public void Flat_fitted_points_are_gain_out_of_range()
    {
        // Responds only with 0 after the first points: the zeros get fitted as a flat line (slope exactly 0).
        var adc = VCal.Select((v, i) => i < 6 ? 200 - 30 * i : 0).ToArray();
        var f = Fit(Repeated(adc));
        Assert.Equal(0f, f.Plateau);
        Assert.Equal(23, f.Points);
        Assert.Equal(0f, f.Gain);
        Assert.Equal(FitStatus.GainOutOfRange, f.Status);
    }

    [Fact]
    public void Noise_free_response_with_production_conversion()
    {
        // Gain 47 * 6.5 / 2 e-/ADC: each VCal step of 1 gives 2 ADC. Pedestal 30 - 2 * (-60) / (47 * 6.5).
        var adc = VCal.Select(v => Math.Min(30 + 2 * v, 255)).ToArray();
        var f = Fit(Repeated(adc), conv: VCalConversion.Default);
        Assert.Equal(FitStatus.Ok, f.Status);
        Close(47 * 6.5 / 2, f.Gain);
        Close(30 + 2 * 60 / (47 * 6.5), f.Pedestal);
    }

    [Fact]
    public void Noisy_response_matches_closed_form_weighted_least_squares()
    {
        var rng = new Random(7);
        var adcs = VCal.Select(v =>
        {
            double mean = Math.Min(25 + 3.3 * v, 250);
            return Enumerable.Range(0, 5).Select(_ => Math.Clamp((int)Math.Round(mean + 2 * (rng.NextDouble() - 0.5) * 3), 0, 255)).ToArray();
        }).ToArray();
        var f = Fit(adcs);

        // Selection by hand: rising part below 0.8 * plateau, ending at the first near-flat high point.
        var stats = adcs.Select(MeanAndError).ToArray();
        double plateau = stats.TakeLast(4).Average(s => (double)s.Mean);
        Assert.All(stats.TakeLast(4), s => Assert.True(Math.Abs(s.Mean - plateau) <= 5));
        var sel = Enumerable.Range(0, 29).Where(i => stats[i].Mean <= 0.8 * plateau).ToList();
        Assert.Equal(Enumerable.Range(0, sel.Count), sel);
        var weighted = sel.Where(i => stats[i].Error > 0).ToArray();
        var cf = ClosedForm(weighted.Select(i => X(i, Conv)).ToArray(), weighted.Select(i => (double)stats[i].Mean).ToArray(),
            weighted.Select(i => 1 / (stats[i].Error * stats[i].Error)).ToArray());

        Assert.Equal(sel.Count, f.Points);
        Close(1 / cf.P1, f.Gain);
        Close(cf.P0, f.Pedestal);
        Close(cf.E1, f.GainError);
        Close(cf.E0, f.PedestalError);
        Close(cf.Chi2 / (sel.Count - 2), f.Chi2Ndf);
        Close(ChiSquare.Probability(cf.Chi2, sel.Count - 2), f.Probability);
        Assert.Equal((float)plateau, f.Plateau);
        Assert.Equal(FitStatus.Ok, f.Status);
    }

    [Fact]
    public void Points_with_zero_error_are_left_out_of_the_chi2_but_counted()
    {
        // Points 0..13 selected. Even points: identical repeats (error 0) pushed 3 ADC off the line;
        // odd points: repeats {a,a,a,a+1,a+1} on the line a + 0.4.
        var adcs = Repeated(Saturating());
        for (int i = 0; i < 14; i++)
        {
            int a = adcs[i][0];
            adcs[i] = i % 2 == 0 ? Enumerable.Repeat(a + 3, 5).ToArray() : [a, a, a, a + 1, a + 1];
        }
        var f = Fit(adcs);
        var odd = Enumerable.Range(0, 14).Where(i => i % 2 == 1).ToArray();
        var stats = adcs.Select(MeanAndError).ToArray();
        var cf = ClosedForm(odd.Select(i => X(i, Conv)).ToArray(), odd.Select(i => (double)stats[i].Mean).ToArray(),
            odd.Select(i => 1 / (stats[i].Error * stats[i].Error)).ToArray());
        Assert.Equal(14, f.Points);
        Close(65, f.Gain);
        Close(20.4, f.Pedestal);
        Close(1 / cf.P1, f.Gain, 2e-7);   // gain is a float
        Close(cf.E1, f.GainError);
        // chi2/ndf divides by npoints - 2 with npoints counting the zero-error points.
        Assert.True(f.Chi2Ndf < 1e-9);
        Assert.Equal(FitStatus.Ok, f.Status);
    }

    [Fact]
    public void All_errors_zero_means_an_unweighted_fit_with_normalised_errors()
    {
        // Every point identical repeats: ROOT fits all points with weight 1, errors scaled by sqrt(chi2/ndf).
        var adc = Saturating();
        adc[3] += 2;   // one point off the line so chi2 > 0
        var f = Fit(Repeated(adc));
        var sel = Enumerable.Range(0, 14).ToArray();
        var cf = ClosedForm(sel.Select(i => X(i, Conv)).ToArray(), sel.Select(i => (double)adc[i]).ToArray(), sel.Select(_ => 1.0).ToArray());
        double scale = Math.Sqrt(cf.Chi2 / 12);
        Close(1 / cf.P1, f.Gain, 1e-7);
        Close(cf.P0, f.Pedestal, 1e-7);
        Close(cf.E1 * scale, f.GainError);
        Close(cf.E0 * scale, f.PedestalError);
        Close(cf.Chi2 / 12, f.Chi2Ndf);
    }

    [Fact]
    public void Wrapped_entry_counter_gives_a_nan_error_and_the_unweighted_refit()
    {
        // 261 hits of ADC 3 at the first point: the 8-bit counter reads 5, the mean 156.6 and the variance
        // E[adc^2] - mean^2 is negative, so the error is NaN; ROOT keeps such a point, the chi2 is NaN,
        // the reference refits with all errors 1 (option W) and normalises the errors.
        var adcs = Repeated(Saturating());
        for (int i = 1; i < 14; i++) { int a = adcs[i][0]; adcs[i] = [a - 1, a, a, a, a + 1]; }
        var (n, s, q) = Accumulate(adcs);
        n[0] = unchecked((byte)261);
        s[0] = 261 * 3;
        q[0] = 261 * 9;
        var f = Fitter().Fit(n, s, q, Conv);

        var sel = Enumerable.Range(0, 14).ToArray();
        double[] y = sel.Select(i => i == 0 ? (double)(783 / 5f) : adcs[i][2]).ToArray();
        var cf = ClosedForm(sel.Select(i => X(i, Conv)).ToArray(), y, sel.Select(_ => 1.0).ToArray());
        double scale = Math.Sqrt(cf.Chi2 / 12);
        Assert.Equal(14, f.Points);
        Close(1 / cf.P1, f.Gain);
        Close(cf.P0, f.Pedestal);
        Close(cf.E1 * scale, f.GainError);
        Close(cf.E0 * scale, f.PedestalError);
        Close(cf.Chi2 / 12, f.Chi2Ndf);
        // The 150 ADC outlier with unit errors: chi2/ndf far above 500.
        Assert.Equal(FitStatus.HighChi2, f.Status);
    }

    [Fact]
    public void Points_with_one_entry_count_as_zero()
    {
        var adcs = Repeated(Saturating());
        var single = adcs.Select(a => a.ToArray()).ToArray();
        single[5] = [adcs[5][0]];
        var none = adcs.Select(a => a.ToArray()).ToArray();
        none[5] = [];
        var a1 = Fit(single);
        var a0 = Fit(none);
        Assert.Equal(a0, a1);
        Assert.Equal(13, a1.Points);
        Close(65, a1.Gain);
        // Without the suppression a single entry is a real point.
        var kept = Fit(single, FitSettings.Production with { SuppressPointsWithOneEntryOrLess = false });
        Assert.Equal(14, kept.Points);
    }

    [Fact]
    public void No_hits_at_all_is_too_many_plateau_points()
    {
        var f = Fit(VCal.Select(_ => Array.Empty<int>()).ToArray());
        Assert.Equal(FitStatus.TooManyPlateauPoints, f.Status);
        Assert.Equal(0f, f.Gain);
        Assert.Equal(255f, f.LowMean);
        Assert.Equal(0f, f.HighMean);
        Assert.Equal(FitStatus.NoStatus, default(PixelFit).Status);
    }

    [Fact]
    public void Saturated_pixel_is_too_many_plateau_points()
    {
        var adc = VCal.Select(v => v < 10 ? 240 : 255).ToArray();
        var f = Fit(Repeated(adc));
        Assert.Equal(FitStatus.TooManyPlateauPoints, f.Status);
        Assert.Equal(0, f.Points);
        Assert.False(f.IsGood);
    }

    [Fact]
    public void Straight_line_without_plateau_is_status_3()
    {
        // 260 e-/ADC: the last four points are 20 ADC apart, plateau becomes 255 and every point is fitted.
        var adc = VCal.Select(v => 20 + (v - 1)).ToArray();
        var f = Fit(Repeated(adc));
        Assert.Equal(FitStatus.NoPlateau, f.Status);
        Assert.Equal(255f, f.Plateau);
        Assert.Equal(29, f.Points);
        Close(260, f.Gain);
        Close(20, f.Pedestal);
        Assert.True(f.IsGood);
    }

    [Fact]
    public void Low_probability_is_status_4_with_a_threshold()
    {
        var adcs = Repeated(Saturating());
        for (int i = 0; i < 14; i++)
        {
            int a = adcs[i][0] + (i % 3 == 0 ? 1 : 0);
            adcs[i] = [a, a, a, a + 1, a + 2];
        }
        var production = Fit(adcs);
        Assert.Equal(FitStatus.Ok, production.Status);
        Assert.InRange(production.Chi2Ndf, 1, 500);
        Assert.True(production.Probability < 0.5);
        var f = Fit(adcs, FitSettings.Production with { ProbabilityThreshold = 0.5 });
        Assert.Equal(FitStatus.LowProbability, f.Status);
        Assert.True(f.IsGood);
    }

    /// <summary>Small errors (0.18 ADC) and points alternating 5 ADC above and below the line.</summary>
    private static int[][] HighChi2Curve()
    {
        var adcs = Repeated(Saturating());
        for (int i = 0; i < 14; i++)
        {
            int a = adcs[i][0] + (i % 2 == 0 ? 5 : -5);
            adcs[i] = [a, a, a, a, a + 1];
        }
        return adcs;
    }

    [Fact]
    public void High_chi2_is_status_5()
    {
        var f = Fit(HighChi2Curve());
        Assert.True(f.Chi2Ndf > 500, $"chi2/ndf {f.Chi2Ndf}");
        Assert.Equal(FitStatus.HighChi2, f.Status);
    }

    [Fact]
    public void Two_points_give_infinite_chi2_per_ndf_and_status_5()
    {
        // Zeros, then 100, 100, 150, then saturation: the fallback keeps 100 and 150.
        var adc = VCal.Select((v, i) => i < 10 ? 0 : i == 10 || i == 11 ? 100 : i == 12 ? 150 : 255).ToArray();
        var adcs = Repeated(adc);
        for (int i = 0; i < 10; i++) adcs[i] = [];
        var f = Fit(adcs);
        Assert.Equal(2, f.Points);
        Assert.True(float.IsPositiveInfinity(f.Chi2Ndf));
        Assert.Equal(0f, f.Probability);
        Assert.Equal(FitStatus.HighChi2, f.Status);
        Close(100, f.Pedestal + X(10, Conv) / f.Gain);
        Close(150, f.Pedestal + X(12, Conv) / f.Gain);
        Assert.Equal((float)X(10, Conv), f.LowPoint);
        Assert.Equal((float)X(12, Conv), f.HighPoint);
    }

    [Fact]
    public void Nan_conversion_is_status_minus_6()
    {
        var f = Fit(Repeated(Saturating()), conv: new VCalConversion(double.NaN, -60));
        Assert.Equal(FitStatus.NotANumber, f.Status);
        Assert.True(float.IsNaN(f.Gain));
    }

    [Fact]
    public void Fewer_than_two_fit_points_is_early_status_minus_7()
    {
        // Zeros, three points at 100 (the fallback takes only the first), then saturation.
        var adc = VCal.Select((v, i) => i < 10 ? 0 : i < 13 ? 100 : 255).ToArray();
        var adcs = Repeated(adc);
        for (int i = 0; i < 10; i++) adcs[i] = [];
        var f = Fit(adcs);
        Assert.Equal(FitStatus.TooFewPoints, f.Status);
        Assert.Equal(1, f.Points);
        Assert.Equal(0f, f.Gain);
        Assert.Equal(0f, f.Chi2Ndf);
    }

    [Fact]
    public void Fewer_than_four_vcal_points_is_status_minus_7_after_the_fit()
    {
        var pattern = new CalibrationPattern([21, 61, 101], 5, [[0]], [[0]]);
        var fitter = new GainFitter(pattern, FitSettings.Production);
        // x = 260 (VCal - 1): ADC = 20 + (VCal - 1)
        var (n, s, q) = Accumulate(Repeated(new[] { 40, 80, 120 }));
        var f = fitter.Fit(n, s, q, Conv);
        Assert.Equal(FitStatus.TooFewPoints, f.Status);
        Assert.Equal(255f, f.Plateau);
        Assert.Equal(3, f.Points);
        Close(260, f.Gain);
        Close(20, f.Pedestal);
    }

    [Fact]
    public void Gain_above_maximum_is_status_minus_8()
    {
        // 1300 e-/ADC: ADC = 20 + (VCal - 1) / 5, the fifth of an ADC spread over the five repeats.
        var adcs = new int[29][];
        for (int i = 0; i < 29; i++)
        {
            int v = VCal[i] - 1, lo = v / 5, rem = v % 5;
            adcs[i] = Enumerable.Range(0, 5).Select(k => 20 + lo + (k < rem ? 1 : 0)).ToArray();
        }
        var f = Fit(adcs);
        Assert.Equal(FitStatus.GainOutOfRange, f.Status);
        Assert.InRange(f.Gain, 1250, 1400);
    }

    [Fact]
    public void Negative_gain_is_status_minus_8()
    {
        // Falling response below a high plateau.
        var adc = VCal.Select((v, i) => i < 25 ? 155 - (v - 1) : 250).ToArray();
        var f = Fit(Repeated(adc));
        Assert.Equal(25, f.Points);
        Close(-260, f.Gain);
        Assert.Equal(FitStatus.GainOutOfRange, f.Status);
    }

    [Fact]
    public void Gain_out_of_range_overrides_no_plateau()
    {
        // Falling to the end: no plateau (3) first, then the negative gain (-8).
        var adc = VCal.Select((v, i) => 200 - 6 * i).ToArray();
        var f = Fit(Repeated(adc));
        Assert.Equal(255f, f.Plateau);
        Assert.Equal(29, f.Points);
        Assert.Equal(FitStatus.GainOutOfRange, f.Status);
    }

    [Fact]
    public void Single_weighted_point_is_a_failed_fit_status_0()
    {
        var adcs = Repeated(Saturating());
        int a = adcs[4][0];
        adcs[4] = [a, a, a, a, a];
        adcs[6] = [adcs[6][0] - 1, adcs[6][0], adcs[6][0], adcs[6][0], adcs[6][0] + 1];
        var f = Fit(adcs);
        Assert.Equal(FitStatus.NoStatus, f.Status);
        Assert.Equal(0f, f.Chi2Ndf);
        Close(65, f.Gain);
        Assert.False(f.IsGood);
    }

    [Fact]
    public void Later_status_overwrites_earlier()
    {
        // High chi2 (5) on a curve without plateau becomes 3.
        var adcs = Repeated(VCal.Select(v => 20 + (v - 1)).ToArray());
        for (int i = 0; i < 29; i++)
        {
            int a = adcs[i][0] + (i % 2 == 0 ? 6 : -6);
            adcs[i] = [a, a, a, a, a + 1];
        }
        var f = Fit(adcs);
        Assert.True(f.Chi2Ndf > 500);
        Assert.Equal(FitStatus.NoPlateau, f.Status);

        // NaN (-6) without plateau becomes 3 as well.
        var nan = Fit(Repeated(VCal.Select(v => 20 + (v - 1)).ToArray()), conv: new VCalConversion(double.NaN, 0));
        Assert.Equal(FitStatus.NoPlateau, nan.Status);

        // Low probability (4) is overwritten by high chi2 (5).
        var both = Fit(HighChi2Curve(), FitSettings.Production with { ProbabilityThreshold = 0.5 });
        Assert.True(both.Probability < 0.5);
        Assert.Equal(FitStatus.HighChi2, both.Status);
    }

    [Fact]
    public void Fit_allocates_nothing_per_pixel()
    {
        var (n, s, q) = Accumulate(Repeated(Saturating()).Select((a, i) => new[] { a[0], a[0], a[0] + 1, a[0], a[0] }).ToArray());
        var fitter = Fitter();
        // Warm up past tiered compilation, whose bookkeeping allocates on the calling thread.
        for (int i = 0; i < 5000; i++) fitter.Fit(n, s, q, Conv);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) fitter.Fit(n, s, q, Conv);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
