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
        double tail = odd ? UpperGammaHalf(x) : 0;
        int terms = k;
        if (terms == 0) return tail;
        if (x < DirectLimit)
        {
            double term = odd ? Math.Sqrt(x) * 2 * InvSqrtPi : 1;   // x^(1/2)/Gamma(3/2) or x^0/0!
            double sum = term;
            double denom = odd ? 0.5 : 0;
            for (int j = 1; j < terms; j++)
            {
                denom += 1;
                term *= x / denom;
                sum += term;
            }
            return tail + Math.Exp(-x) * sum;
        }
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
        return tail + total;
    }

    /// <summary>Q(1/2, x) = erfc(sqrt x): power series below 1.5, Lentz continued fraction above.</summary>
    private static double UpperGammaHalf(double x)
    {
        const double a = 0.5;
        double prefactor = Math.Exp(-x) * Math.Sqrt(x) * InvSqrtPi;   // e^-x x^a / Gamma(a)
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
            return 1 - prefactor * sum;
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
