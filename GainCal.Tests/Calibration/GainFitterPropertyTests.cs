using CsCheck;
using GainCal.Calibration;

namespace GainCal.Tests.Calibration;

/// <summary>
/// The optimised GainFitter against a line-by-line transcription of doFits written for clarity:
/// every point's error computed with sqrt as in the reference, weights 1/ey^2, raw-sum (determinant) least squares.
/// </summary>
public class GainFitterPropertyTests
{
    private static readonly int[] VCal = CalibrationPattern.Default.VCalValues.ToArray();

    private sealed record Curve(byte[] N, uint[] S, uint[] Q, VCalConversion Conv, int[] VCal)
    {
        public override string ToString() =>
            $"conv {Conv}; vcal [{string.Join(",", VCal)}]; n [{string.Join(",", N)}]; s [{string.Join(",", S)}]; q [{string.Join(",", Q)}]";
    }

    private static readonly Gen<Curve> Curves = Gen.Int.Select(seed => MakeCurve(new Random(seed), VCal));

    /// <summary>Patterns longer than one 64-point word of the fitter's bit masks: 65 to 200 VCal values, rising in
    /// small steps (several points per 5 ADC near the plateau), so the selection can stop in any word.</summary>
    private static readonly Gen<Curve> LongCurves = Gen.Int.Select(seed =>
    {
        var rng = new Random(seed);
        var vcal = new int[65 + rng.Next(136)];
        for (int i = 0, v = 1 + rng.Next(5); i < vcal.Length; i++, v += 1 + rng.Next(3)) vcal[i] = v;
        return MakeCurve(rng, vcal);
    });

    private static Curve MakeCurve(Random rng, int[] vcal)
    {
        double slopeV = 40 + 15 * rng.NextDouble(), offsetV = rng.Next(2) == 0 ? -60 : -308;
        double gain = rng.Next(10) == 0 ? -60 : 30 + 1500 * Math.Pow(rng.NextDouble(), 3);
        double pedestal = -20 + 100 * rng.NextDouble();
        double noise = rng.Next(4) == 0 ? 0 : 3 * rng.NextDouble();
        double saturation = 100 + 155 * rng.NextDouble();
        int repeat = 1 + rng.Next(6);
        int points = vcal.Length;
        var n = new byte[points]; var s = new uint[points]; var q = new uint[points];
        for (int i = 0; i < points; i++)
        {
            double x = vcal[i] * 6.5 * slopeV + offsetV;
            double mean = Math.Min(pedestal + x / gain, saturation);
            int hits = rng.Next(8) == 0 ? rng.Next(3) : repeat;
            for (int k = 0; k < hits; k++)
            {
                int adc = Math.Clamp((int)Math.Round(mean + noise * (rng.NextDouble() - 0.5)), 0, 255);
                n[i]++; s[i] += (uint)adc; q[i] += (uint)(adc * adc);
            }
        }
        return new Curve(n, s, q, new VCalConversion(slopeV, offsetV), vcal);
    }

    [Fact]
    public void Optimised_fit_equals_the_plain_transcription()
    {
        var fitter = new GainFitter(CalibrationPattern.Default, FitSettings.Production);
        var statuses = new HashSet<FitStatus>();
        Curves.Sample(c => Compare(fitter, c, FitSettings.Production, statuses), iter: 3000, threads: 1);   // one fitter, reused across curves as in production: one thread
        // The generator reaches the ordinary outcomes; the rare ones have their own crafted tests.
        Assert.Contains(FitStatus.Ok, statuses);
        Assert.Contains(FitStatus.NoPlateau, statuses);
        Assert.Contains(FitStatus.TooManyPlateauPoints, statuses);
        Assert.Contains(FitStatus.GainOutOfRange, statuses);
    }

    [Theory]
    [InlineData(true, true, true)]
    [InlineData(false, false, false)]
    [InlineData(true, false, true)]
    [InlineData(false, true, false)]
    public void Long_patterns_and_other_settings_equal_the_plain_transcription(bool suppressSingle, bool rejectVCalZero, bool suppressPlateau)
    {
        var settings = FitSettings.Production with
        {
            SuppressPointsWithOneEntryOrLess = suppressSingle, RejectVCalZero = rejectVCalZero, SuppressPlateauInFit = suppressPlateau,
        };
        var statuses = new HashSet<FitStatus>();
        var longest = 0;
        LongCurves.Sample(c =>
        {
            var pattern = new CalibrationPattern(c.VCal, 5, CalibrationPattern.Default.ColumnGroups, CalibrationPattern.Default.RowGroups);
            Compare(new GainFitter(pattern, settings), c, settings, statuses);
            longest = Math.Max(longest, c.VCal.Length);
        }, iter: 500, threads: 1);
        Assert.True(longest > 128, "the generator must reach a third mask word");
        Assert.Contains(FitStatus.Ok, statuses);
    }

    private static void Compare(GainFitter fitter, Curve c, FitSettings settings, HashSet<FitStatus> statuses)
    {
        {
            var fast = fitter.Fit(c.N, c.S, c.Q, c.Conv);
            var plain = Plain(c, settings);
            statuses.Add(plain.Status);
            Assert.Equal(plain.Status, fast.Status);
            Assert.Equal(plain.Points, fast.Points);
            Assert.Equal(plain.Plateau, fast.Plateau);
            Assert.Equal(plain.LowMean, fast.LowMean);
            Assert.Equal(plain.HighMean, fast.HighMean);
            Assert.Equal(plain.LowPoint, fast.LowPoint);
            Assert.Equal(plain.HighPoint, fast.HighPoint);
            // All fitted points equal: the slope is exactly 0 in one form and rounding noise in the other (as in
            // Minuit); both say -8 and the numbers mean nothing.
            if (fast.Status == FitStatus.GainOutOfRange && (fast.Gain == 0 || plain.Gain == 0 || Math.Abs(plain.Gain) > 1e7)) return;
            Near(plain.Gain, fast.Gain);
            Near(plain.Pedestal, fast.Pedestal);
            Near(plain.GainError, fast.GainError);
            Near(plain.PedestalError, fast.PedestalError);
            Near(plain.Chi2Ndf, fast.Chi2Ndf);
            Near(plain.Probability, fast.Probability);
        }
    }

    private static void Near(float expected, float actual)
    {
        if (float.IsNaN(expected) || float.IsInfinity(expected)) { Assert.Equal(expected, actual); return; }
        // Chi2 and errors of near-perfect fits are rounding noise; compare those absolutely.
        Assert.True(Math.Abs(actual - expected) <= 1e-5 * Math.Abs(expected) + 1e-9, $"expected {expected:R}, got {actual:R}");
    }

    /// <summary>doFits, transcribed statement by statement.</summary>
    private static PixelFit Plain(Curve c, FitSettings set)
    {
        int nall = c.VCal.Length;
        uint minN = set.SuppressPointsWithOneEntryOrLess ? 1u : 0u;
        var xall = new double[nall]; var yall = new double[nall]; var eall = new double[nall];
        double xmin = 0.1 * c.Conv.Slope + c.Conv.Offset;
        float low = 255, high = 0;
        for (int i = 0; i < nall; i++)
        {
            xall[i] = (short)c.VCal[i] * set.VCalHighToLow;
            xall[i] = xall[i] * c.Conv.Slope + c.Conv.Offset;
            if (c.N[i] > minN)
            {
                yall[i] = c.S[i] / (float)c.N[i];
                eall[i] = c.Q[i] / (float)c.N[i];
                eall[i] -= Math.Pow(yall[i], 2);
                eall[i] = Math.Sqrt(eall[i]) / Math.Sqrt(c.N[i]);
                if (yall[i] < low) low = (float)yall[i];
                if (yall[i] > high) high = (float)yall[i];
            }
        }
        var r = new PixelFit { LowMean = low, HighMean = high };
        double plateau = 0; bool noPlateau = false;
        for (int i = nall - 1; i > nall - 5; i--) plateau += yall[i];
        plateau /= 4;
        for (int i = nall - 1; i > nall - 5; i--)
            if (Math.Abs(yall[i] - plateau) > 5) { plateau = 255; noPlateau = true; }
        r.Plateau = (float)plateau;
        int inPlateau = 0;
        for (int i = 0; i < nall; i++) if (Math.Abs(yall[i] - plateau) < 10 || yall[i] == 0) inPlateau++;
        if (inPlateau >= nall - 2) { r.Status = FitStatus.TooManyPlateauPoints; return r; }

        var xs = new List<double>(); var ys = new List<double>(); var es = new List<double>();
        double maxgood = plateau * (1.0 - set.PlateauFraction);
        for (int i = 0; i < nall; i++)
        {
            if (set.RejectVCalZero && xall[i] < xmin) continue;
            if (c.N[i] <= minN && set.SuppressPointsWithOneEntryOrLess) continue;
            if (yall[i] > maxgood && !noPlateau) continue;
            if (i > 1 && Math.Abs(yall[i] - yall[i - 1]) < 5.0 && yall[i] > 0.8 * maxgood && set.SuppressPlateauInFit) break;
            xs.Add(xall[i]); ys.Add(yall[i]); es.Add(eall[i]);
        }
        if (xs.Count < 4)
        {
            xs.Clear(); ys.Clear(); es.Clear();
            for (int i = 0; i < nall && xs.Count < 4 && yall[i] < plateau * 0.97; i++)
            {
                if (yall[i] > 0)
                {
                    if (i > 0 && yall[i] - yall[i - 1] < 0.1) continue;
                    xs.Add(xall[i]); ys.Add(yall[i]); es.Add(eall[i]);
                }
            }
        }
        int npoints = xs.Count;
        r.Points = npoints;
        if (npoints < 2) { r.Status = FitStatus.TooFewPoints; return r; }

        var (code, p0, p1, e0, e1, chi2) = RootFit(xs, ys, es, useErrors: true);
        float slope = (float)p1, ped = (float)p0;
        if (float.IsNaN(slope) || float.IsNaN(ped))
        {
            (code, p0, p1, e0, e1, chi2) = RootFit(xs, ys, es, useErrors: false);
            slope = (float)p1; ped = (float)p0;
        }
        float chi2ndf = npoints == 2 ? float.PositiveInfinity : (float)(chi2 / ((float)npoints - 2));
        float prob = (float)ChiSquare.Probability(chi2, npoints - 2);
        var status = code == 0 ? FitStatus.Ok : FitStatus.NoStatus;
        bool flat = slope == 0;   // GainCal's model of Minuit on a flat minimum (docs/reference-fit.md 6)
        if (slope != 0) slope = (float)(1.0 / slope);
        if (float.IsNaN(slope) || float.IsNaN(ped)) status = FitStatus.NotANumber;
        if (prob < set.ProbabilityThreshold) status = FitStatus.LowProbability;
        if (chi2ndf > set.Chi2NdfThreshold && set.Chi2NdfThreshold >= 0) status = FitStatus.HighChi2;
        if (noPlateau) status = FitStatus.NoPlateau;
        if (Math.Abs(slope) > set.MaxGain || slope < 0 || flat) status = FitStatus.GainOutOfRange;
        r.Status = status; r.Gain = slope; r.Pedestal = ped; r.GainError = (float)e1; r.PedestalError = (float)e0;
        r.Chi2Ndf = chi2ndf; r.Probability = prob; r.LowPoint = (float)xs[0]; r.HighPoint = (float)xs[^1];
        return r;
    }

    /// <summary>TGraphErrors chi2 fit of pol1 as HFitInterface/FitResult treat the errors; determinant form.</summary>
    private static (int Code, double P0, double P1, double E0, double E1, double Chi2) RootFit(
        List<double> x, List<double> y, List<double> e, bool useErrors)
    {
        bool weighted = useErrors && e.Any(v => v > 0);
        var idx = Enumerable.Range(0, x.Count).Where(i => !weighted || !(e[i] <= 0)).ToArray();
        if (weighted && idx.Length < 2)
        {
            var u = RootFit(x, y, e, useErrors: false);
            return (1, u.P0, u.P1, u.E0, u.E1, 0);
        }
        double W(int i) => weighted ? 1 / (e[i] * e[i]) : 1;
        double s = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        foreach (var i in idx) { s += W(i); sx += W(i) * x[i]; sy += W(i) * y[i]; sxx += W(i) * x[i] * x[i]; sxy += W(i) * x[i] * y[i]; }
        double d = s * sxx - sx * sx;
        double p1 = (s * sxy - sx * sy) / d, p0 = (sxx * sy - sx * sxy) / d;
        double v0 = sxx / d, v1 = s / d, chi2 = 0;
        foreach (var i in idx) chi2 += W(i) * Math.Pow(y[i] - p0 - p1 * x[i], 2);
        if (!weighted && idx.Length > 2) { v0 *= chi2 / (idx.Length - 2); v1 *= chi2 / (idx.Length - 2); }
        bool ok = double.IsFinite(p0) && double.IsFinite(p1) && d > 0;
        return (ok ? 0 : 1, p0, p1, Math.Sqrt(v0), Math.Sqrt(v1), chi2);
    }
}
