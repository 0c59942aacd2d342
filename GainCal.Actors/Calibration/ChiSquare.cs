namespace GainCal.Calibration;

/// <summary>Upper-tail chi-square probability, as ROOT's TMath::Prob.</summary>
public static class ChiSquare
{
    private const double Epsilon = 1e-16;
    private const double Tiny = 1e-300;
    private const double InvSqrtPi = 0.56418958354775628695;
    // Past this e^-x or the partial sums leave the double range; switch to logarithms.
    private const double DirectLimit = 690;

    /// <summary>
    /// TMath::Prob(chi2, ndf): 0 for ndf &lt;= 0 or chi2 &lt; 0, 1 for chi2 == 0, otherwise
    /// Q(ndf/2, chi2/2), the regularised upper incomplete gamma function.
    /// </summary>
    public static double Probability(double chi2, int ndf)
    {
        if (ndf <= 0) return 0;
        if (chi2 <= 0) return chi2 < 0 ? 0 : 1;
        if (double.IsNaN(chi2)) return double.NaN;
        if (double.IsPositiveInfinity(chi2)) return 0;
        double x = 0.5 * chi2;
        int k = ndf >> 1;
        // ndf even: Q(k, x) = e^-x sum_{j<k} x^j / j!.
        // ndf odd:  Q(k + 1/2, x) = erfc(sqrt x) + e^-x sum_{j=1..k} x^(j-1/2) / Gamma(j + 1/2).
        bool odd = (ndf & 1) != 0;
        int terms = k;
        if (x < DirectLimit && terms < InverseIntegers.Length)
        {
            // e^-x (erfcx(sqrt x) + sum): one exponential for both parts.
            double scaledTail = odd ? ScaledErfc(Math.Sqrt(x), x) : 0;
            if (terms == 0) return Math.Min(Math.Exp(-x) * scaledTail, 1);
            double first = odd ? Math.Sqrt(x) * 2 * InvSqrtPi : 1;   // x^(1/2)/Gamma(3/2) or x^0/0!
            double sum = FiniteSum(x, first, (odd ? InverseHalfIntegers : InverseIntegers).AsSpan(0, terms));
            // Rounding can push the sum just above 1 for tiny chi2.
            return Math.Min(Math.Exp(-x) * (scaledTail + sum), 1);
        }
        double tail = odd ? Erfc(Math.Sqrt(x), x) : 0;
        return terms == 0 ? tail : tail + LogSum(x, odd, terms);
    }

    /// <summary>first + first x / d_1 + first x^2 / (d_1 d_2) + ..., with inverse[j] = 1 / d_j (inverse[0] unused).</summary>
    /// <remarks>A method of its own so that the running term and sum stay in registers (inside Probability the JIT kept
    /// them on the stack, a store and a load on the dependency chain of every term).</remarks>
    private static double FiniteSum(double x, double first, ReadOnlySpan<double> inverse)
    {
        double term = first, sum = first;
        for (int j = 1; j < inverse.Length; j++)
        {
            term *= x * inverse[j];
            sum += term;
        }
        return sum;
    }

    // 1/j and 1/(j + 1/2): multiplications instead of a chain of divisions in the finite sums.
    private static readonly double[] InverseIntegers = Enumerable.Range(0, 128).Select(j => 1.0 / j).ToArray();
    private static readonly double[] InverseHalfIntegers = Enumerable.Range(0, 128).Select(j => 1.0 / (j + 0.5)).ToArray();

    /// <summary>e^-x times the finite sum of Probability, term by term in logarithms (no overflow for large x).</summary>
    private static double LogSum(double x, bool odd, int terms)
    {
        double logX = Math.Log(x);
        double logTerm = odd ? 0.5 * logX - Math.Log(0.5 / InvSqrtPi) : 0;
        double d = odd ? 0.5 : 0;
        double total = Math.Exp(logTerm - x);
        for (int j = 1; j < terms; j++)
        {
            d += 1;
            logTerm += logX - Math.Log(d);
            total += Math.Exp(logTerm - x);
        }
        return total;
    }

    // erfc(z) = exp(-z^2) erfcx(z); erfcx is smooth and is tabulated at start-up as Chebyshev series on
    // segments of [0, ChebyshevEnd), sampled from the series / continued fraction below (which costs ~10x more).
    private const double SegmentWidth = 0.25;
    private const int Segments = 32;
    private const int Terms = 11;
    private const double ChebyshevEnd = SegmentWidth * Segments;
    private static readonly double[] ErfcxCoefficients = BuildErfcx();

    /// <summary>erfc(z) for z = sqrt(x) &gt;= 0.</summary>
    internal static double Erfc(double z, double x) =>
        z >= ChebyshevEnd ? UpperGammaHalf(x) : Math.Exp(-x) * ScaledErfc(z, x);

    /// <summary>erfcx(z) = e^(z^2) erfc(z) for z = sqrt(x) &gt;= 0.</summary>
    private static double ScaledErfc(double z, double x)
    {
        if (z >= ChebyshevEnd) return UpperGammaHalf(x, scaled: true);
        int segment = (int)(z * (1 / SegmentWidth));
        double t = (z - segment * SegmentWidth) * (2 / SegmentWidth) - 1;
        var c = ErfcxCoefficients.AsSpan(segment * Terms, Terms);
        // Clenshaw recurrence; with the fused multiply-add only one operation per term is on the dependency chain.
        double b1 = 0, b2 = 0, t2 = 2 * t;
        for (int j = Terms - 1; j >= 1; j--)
        {
            double b0 = Math.FusedMultiplyAdd(t2, b1, c[j] - b2);
            b2 = b1;
            b1 = b0;
        }
        return t * b1 - b2 + c[0];
    }

    private static double[] BuildErfcx()
    {
        var coefficients = new double[Segments * Terms];
        var f = new double[Terms];
        for (int seg = 0; seg < Segments; seg++)
        {
            double start = seg * SegmentWidth;
            for (int k = 0; k < Terms; k++)
            {
                double t = Math.Cos(Math.PI * (k + 0.5) / Terms);
                double z = start + (t + 1) * (SegmentWidth / 2);
                f[k] = UpperGammaHalf(z * z, scaled: true);
            }
            for (int j = 0; j < Terms; j++)
            {
                double sum = 0;
                for (int k = 0; k < Terms; k++) sum += f[k] * Math.Cos(Math.PI * j * (k + 0.5) / Terms);
                coefficients[seg * Terms + j] = sum * (j == 0 ? 1.0 : 2.0) / Terms;
            }
        }
        return coefficients;
    }

    /// <summary>
    /// Q(1/2, x) = erfc(sqrt x) (times e^x when scaled): power series below 1.5, Lentz continued fraction above.
    /// </summary>
    internal static double UpperGammaHalf(double x, bool scaled = false)
    {
        const double a = 0.5;
        double exp = scaled ? 1 : Math.Exp(-x);
        double prefactor = exp * Math.Sqrt(x) * InvSqrtPi;   // e^-x x^a / Gamma(a)
        if (x < 1.5)
        {
            double ap = a, del = 1 / a, sum = del;
            for (int n = 0; n < 200; n++)
            {
                ap += 1;
                del *= x / ap;
                sum += del;
                if (Math.Abs(del) < Math.Abs(sum) * Epsilon) break;
            }
            return scaled ? Math.Exp(x) - prefactor * sum : 1 - prefactor * sum;
        }
        double b = x + 1 - a, c = 1 / Tiny, d = 1 / b, h = d;
        for (int i = 1; i < 300; i++)
        {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.Abs(d) < Tiny) d = Tiny;
            c = b + an / c;
            if (Math.Abs(c) < Tiny) c = Tiny;
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (Math.Abs(del - 1) < Epsilon) break;
        }
        return prefactor * h;
    }
}
