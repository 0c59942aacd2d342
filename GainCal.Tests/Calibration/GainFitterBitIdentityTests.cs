using CsCheck;
using GainCal.Calibration;

namespace GainCal.Tests.Calibration;

/// <summary>
/// The production GainFitter and ChiSquare against the ones before their rework for speed (BaselineGainFitter and
/// BaselineChiSquare, kept in the tests): every output float equal bit for bit, over ordinary curves and the edge
/// cases that take other paths (every status, wrapped 8-bit counters, saturated ADC, sums beyond 2^31, zero
/// variance, few and many points, gaps in the selection, NaN conversions, other fit settings). One fitter of each
/// kind is reused across curves and modules, as in production.
/// </summary>
public class GainFitterBitIdentityTests
{
    private sealed record Case(CalibrationPattern Pattern, FitSettings Settings, (byte[] N, uint[] S, uint[] Q, VCalConversion Conv)[] Pixels)
    {
        public override string ToString() =>
            $"vcal [{string.Join(",", Pattern.VCalValues)}]; settings {Settings}; " + string.Join("; ", Pixels.Select(p =>
                $"conv {p.Conv} n [{string.Join(",", p.N)}] s [{string.Join(",", p.S)}] q [{string.Join(",", p.Q)}]"));
    }

    private static readonly CalibrationPattern Default = CalibrationPattern.Default;

    private static CalibrationPattern PatternOf(int[] vcal) => new(vcal, 5, Default.ColumnGroups, Default.RowGroups);

    /// <summary>A pixel's sums: a saturating line with noise, some points with few or no hits; optionally wrapped
    /// counters (more than 255 hits in a point), a saturated ADC, or sums pushed past 2^31.</summary>
    private static (byte[] N, uint[] S, uint[] Q, VCalConversion Conv) Pixel(Random rng, IReadOnlyList<int> vcal, VCalConversion conv)
    {
        double gain = rng.Next(10) == 0 ? -60 : rng.Next(20) == 0 ? 1e6 : 30 + 1500 * Math.Pow(rng.NextDouble(), 3);
        double pedestal = -20 + 100 * rng.NextDouble();
        double noise = rng.Next(4) == 0 ? 0 : 3 * rng.NextDouble();
        double saturation = rng.Next(10) == 0 ? 255 : 100 + 155 * rng.NextDouble();
        int repeat = 1 + rng.Next(6);
        bool wrap = rng.Next(12) == 0, huge = rng.Next(15) == 0, garbage = rng.Next(25) == 0;
        int points = vcal.Count;
        var n = new byte[points]; var s = new uint[points]; var q = new uint[points];
        for (int i = 0; i < points; i++)
        {
            if (garbage)
            {
                n[i] = (byte)rng.Next(256); s[i] = (uint)rng.NextInt64(1L << 32); q[i] = (uint)rng.NextInt64(1L << 32);
                continue;
            }
            double x = (short)vcal[i] * 6.5 * conv.Slope + conv.Offset;
            double mean = Math.Min(pedestal + x / gain, saturation);
            int hits = wrap && rng.Next(3) == 0 ? 250 + rng.Next(20) : rng.Next(8) == 0 ? rng.Next(3) : repeat;
            uint count = 0;
            for (int k = 0; k < hits; k++)
            {
                int adc = Math.Clamp((int)Math.Round(mean + noise * (rng.NextDouble() - 0.5)), 0, 255);
                count++; s[i] += (uint)adc; q[i] += (uint)(adc * adc);
            }
            n[i] = (byte)count;
            if (huge && rng.Next(4) == 0) { s[i] += 0x8000_0000u; q[i] += 0x9000_0000u; }
        }
        return (n, s, q, conv);
    }

    private static VCalConversion Conversion(Random rng) => rng.Next(40) switch
    {
        0 => new VCalConversion(double.NaN, -60),
        1 => new VCalConversion(0, 0),
        2 => VCalConversion.Default,
        _ => new VCalConversion(40 + 15 * rng.NextDouble(), rng.Next(2) == 0 ? -60 : -308),
    };

    private static FitSettings Settings(Random rng) => rng.Next(3) == 0
        ? FitSettings.Production
        : new FitSettings(
            SuppressPointsWithOneEntryOrLess: rng.Next(2) == 0,
            RejectVCalZero: rng.Next(2) == 0,
            PlateauFraction: rng.Next(2) == 0 ? 0.2 : rng.NextDouble(),
            SuppressPlateauInFit: rng.Next(2) == 0,
            Chi2NdfThreshold: rng.Next(4) == 0 ? -1 : rng.Next(2) == 0 ? 500 : 10 * rng.NextDouble(),
            ProbabilityThreshold: rng.Next(2) == 0 ? 0 : rng.NextDouble(),
            MaxGain: rng.Next(2) == 0 ? 1250 : 100 + 2000 * rng.NextDouble(),
            UseVCalHigh: rng.Next(4) != 0,
            VCalHighToLow: rng.Next(2) == 0 ? 6.5 : 1 + 10 * rng.NextDouble());

    /// <summary>VCal values: the default pattern, a short one (1 to 6 points), or a long one (up to 200 points, past
    /// the 64-point words of the bit masks), some not rising.</summary>
    private static int[] VCalValues(Random rng) => rng.Next(4) switch
    {
        0 => Enumerable.Range(0, 1 + rng.Next(6)).Select(i => 5 + 20 * i + rng.Next(10)).ToArray(),
        1 => Enumerable.Range(0, 30 + rng.Next(171)).Select(i => 1 + i * (1 + rng.Next(3)) + (rng.Next(20) == 0 ? -5 : 0)).ToArray(),
        _ => Default.VCalValues.ToArray(),
    };

    private static readonly Gen<Case> Cases = Gen.Int.Select(seed =>
    {
        var rng = new Random(seed);
        var vcal = VCalValues(rng);
        var pattern = vcal.SequenceEqual(Default.VCalValues) ? Default : PatternOf(vcal);
        var conv = Conversion(rng);
        // Pixels come module by module: a run of pixels shares a conversion, then it changes.
        var pixels = Enumerable.Range(0, 12).Select(k =>
        {
            if (rng.Next(4) == 0) conv = Conversion(rng);
            return Pixel(rng, vcal, conv);
        }).ToArray();
        return new Case(pattern, Settings(rng), pixels);
    });

    [Fact]
    public void Every_output_bit_equals_the_fitter_before_the_speed_rework()
    {
        var statuses = new HashSet<FitStatus>();
        int gapped = 0;
        Cases.Sample(c => gapped += Compare(c, statuses), iter: 1500, threads: 1);
        // The generator reaches every status and selections with gaps (the gathered path).
        foreach (var status in Enum.GetValues<FitStatus>()) Assert.Contains(status, statuses);
        Assert.True(gapped > 50, $"only {gapped} selections with gaps");
    }

    [Fact]
    public void Every_output_bit_equals_the_fitter_before_the_speed_rework_on_a_simulated_module()
    {
        // Production-like curves through the production settings and pattern, 20,000 pixels with one fitter each.
        var rng = new Random(9);
        var fitter = new GainFitter(Default, FitSettings.Production);
        var baseline = new BaselineGainFitter(Default, FitSettings.Production);
        var vcal = Default.VCalValues.ToArray();
        var statuses = new HashSet<FitStatus>();
        for (int k = 0; k < 20_000; k++)
        {
            var conv = new VCalConversion(47 + (k / 4160), -60 - (k / 4160));
            var (n, s, q, _) = Pixel(rng, vcal, conv);
            statuses.Add(Same(fitter, baseline, n, s, q, conv));
        }
        Assert.Contains(FitStatus.Ok, statuses);
        Assert.Contains(FitStatus.NoPlateau, statuses);
    }

    [Fact]
    public void Chi2_probability_equals_the_one_before_the_speed_rework_bit_for_bit()
    {
        var rng = new Random(12);
        var chi2s = new List<double> { 0, -1, double.NaN, double.PositiveInfinity, double.Epsilon, 1e-300, 1379.9, 1380, 1380.1, 1e6 };
        for (int k = 0; k < 100_000; k++)
        {
            chi2s.Add(rng.Next(4) switch
            {
                0 => rng.NextDouble() * 1e-3,
                1 => rng.NextDouble() * 3000,
                2 => Math.Exp(40 * rng.NextDouble() - 20),
                _ => rng.NextDouble() * 60,
            });
        }
        // ndf around the switches of the implementation: 0 and 1 terms, the 128-term tables, odd and even.
        int[] ndfs = [-1, 0, 1, 2, 3, 4, 5, 17, 18, 19, 20, 253, 254, 255, 256, 257, 300];
        foreach (var chi2 in chi2s)
        {
            int ndf = rng.Next(3) == 0 ? ndfs[rng.Next(ndfs.Length)] : rng.Next(40);
            Assert.True(BitConverter.DoubleToInt64Bits(BaselineChiSquare.Probability(chi2, ndf)) == BitConverter.DoubleToInt64Bits(ChiSquare.Probability(chi2, ndf)),
                $"chi2 {chi2:R}, ndf {ndf}: expected {BaselineChiSquare.Probability(chi2, ndf):R}, got {ChiSquare.Probability(chi2, ndf):R}");
        }
    }

    private static int Compare(Case c, HashSet<FitStatus> statuses)
    {
        var fitter = new GainFitter(c.Pattern, c.Settings);
        var baseline = new BaselineGainFitter(c.Pattern, c.Settings);
        int gapped = 0;
        foreach (var (n, s, q, conv) in c.Pixels)
        {
            statuses.Add(Same(fitter, baseline, n, s, q, conv));
            var taken = baseline.LastSelection;
            if (taken.Length > 1 && taken[^1] - taken[0] != taken.Length - 1) gapped++;
        }
        return gapped;
    }

    private static FitStatus Same(GainFitter fitter, BaselineGainFitter baseline, byte[] n, uint[] s, uint[] q, VCalConversion conv)
    {
        var expected = baseline.Fit(n, s, q, conv);
        var actual = fitter.Fit(n, s, q, conv);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.Points, actual.Points);
        Bits(expected.Gain, actual.Gain, "gain");
        Bits(expected.Pedestal, actual.Pedestal, "pedestal");
        Bits(expected.GainError, actual.GainError, "gain error");
        Bits(expected.PedestalError, actual.PedestalError, "pedestal error");
        Bits(expected.Chi2Ndf, actual.Chi2Ndf, "chi2/ndf");
        Bits(expected.Probability, actual.Probability, "probability");
        Bits(expected.Plateau, actual.Plateau, "plateau");
        Bits(expected.LowMean, actual.LowMean, "low mean");
        Bits(expected.HighMean, actual.HighMean, "high mean");
        Bits(expected.LowPoint, actual.LowPoint, "low point");
        Bits(expected.HighPoint, actual.HighPoint, "high point");
        Assert.Equal(baseline.LastSelection.ToArray(), fitter.LastSelection.ToArray());
        Assert.Equal(baseline.LastMeans.ToArray().Select(BitConverter.DoubleToInt64Bits), fitter.LastMeans.ToArray().Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(baseline.LastCharges.ToArray().Select(BitConverter.DoubleToInt64Bits), fitter.LastCharges.ToArray().Select(BitConverter.DoubleToInt64Bits));
        return expected.Status;
    }

    private static void Bits(float expected, float actual, string what) =>
        Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
            $"{what}: expected {expected:R} (0x{BitConverter.SingleToInt32Bits(expected):X8}), got {actual:R} (0x{BitConverter.SingleToInt32Bits(actual):X8})");
}
