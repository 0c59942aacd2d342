using System.Globalization;
using System.Numerics;

namespace GainCal.Payloads;

/// <summary>Doses (Mrad) and VCal slope correction factors of one tag.</summary>
public sealed record DoseCorrections(string Tag, double LumiRun3, IReadOnlyDictionary<int, double> LayerDose,
    IReadOnlyDictionary<int, double> RingDose, IReadOnlyDictionary<int, double> Bpix, IReadOnlyDictionary<int, double> Fpix)
{
    /// <summary>The script's printout, e.g. <c>corrs_bpix = {1: 1.095, 2: 1.056, 3: 1.039, 4: 1.023}</c>.</summary>
    public string BpixText => "corrs_bpix = " + DoseModel.PythonDict(Bpix);
    public string FpixText => "corrs_fpix = " + DoseModel.PythonDict(Fpix);
}

/// <summary>
/// calc_corrections.py: the irradiation model of the ROC's bandgap voltage, BGV(d) = −0.13·exp(−0.0313·d) + 1.38,
/// with d the dose in Mrad, and the slope correction BGV(d)/BGV(0) per BPix layer and FPix ring. Same double
/// arithmetic, same expression order and Python's round() (correctly rounded, ties to even).
/// </summary>
public static class DoseModel
{
    public const double Layer1DosePerFb = 0.35;
    public static readonly IReadOnlyList<double> LayerDosePerFb = [0.35, 0.0717, 0.0438, 0.0236];
    public const double Ring1DosePerFb = 0.212;
    public const double Ring2DosePerFb = 0.056;

    private static readonly double Slope = -3.13 * Math.Pow(10, -2);

    public static double Bgv(double dose) => -0.13 * Math.Exp(Slope * dose) + 1.38;
    public static double Correction(double dose) => Bgv(dose) / Bgv(0);

    /// <summary>The linear model the script plots for comparison: 1 + 0.0045·d.</summary>
    public static double OldModel(double dose) => 1 + dose * 0.0045;

    /// <summary>Corrections for every tag of the table. As in the script, the first two tags get one FPix factor
    /// (mean of both rings, rounded to 3 decimals) for "rings" 1..3; later tags get one factor per ring (4 decimals).</summary>
    public static IReadOnlyList<DoseCorrections> Compute(LumiTable table)
    {
        var result = new List<DoseCorrections>();
        for (int t = 0; t < table.Tags.Count; t++)
        {
            var (tag, lumi) = table.Tags[t];
            double total = table.Lumi2017 + table.Lumi2018 + lumi;
            var layer = new Dictionary<int, double>
            {
                [1] = LayerDosePerFb[0] * lumi, // layer 1 was replaced before Run 3
                [2] = LayerDosePerFb[1] * total,
                [3] = LayerDosePerFb[2] * total,
                [4] = LayerDosePerFb[3] * total,
            };
            var ring = new Dictionary<int, double> { [1] = Ring1DosePerFb * total, [2] = Ring2DosePerFb * total };
            var bpix = layer.ToDictionary(kv => kv.Key, kv => PythonRound(Bgv(kv.Value) / Bgv(0), 3));
            double c1 = Bgv(ring[1]) / Bgv(0), c2 = Bgv(ring[2]) / Bgv(0);
            Dictionary<int, double> fpix;
            if (t < 2)
            {
                double avg = PythonRound((c1 + c2) / 2 * (49.0 / 47.0), 3);
                fpix = new() { [1] = avg, [2] = avg, [3] = avg };
            }
            else
                fpix = new() { [1] = PythonRound(c1 * (49.0 / 47.0), 4), [2] = PythonRound(c2 * (49.0 / 47.0), 4) };
            result.Add(new DoseCorrections(tag, lumi, layer, ring, bpix, fpix));
        }
        return result;
    }

    public static DoseCorrections Compute(LumiTable table, string tag) =>
        Compute(table).FirstOrDefault(c => c.Tag == tag)
        ?? throw new KeyNotFoundException($"tag {tag} is not in the luminosity table (tags: {string.Join(", ", table.Tags.Select(t => t.Tag))})");

    /// <summary>Python's round(x, n): the exact binary value rounded to n decimals, exact ties to even, then read back as the nearest double.</summary>
    public static double PythonRound(double x, int digits)
    {
        if (!double.IsFinite(x)) return x;
        long bits = BitConverter.DoubleToInt64Bits(x);
        bool negative = bits < 0;
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0) exponent = 1; else mantissa |= 1L << 52;
        exponent -= 1075; // x = mantissa * 2^exponent
        if (exponent >= 0) return x;
        var numerator = new BigInteger(mantissa) * BigInteger.Pow(10, digits);
        var denominator = BigInteger.One << -exponent;
        var q = BigInteger.DivRem(numerator, denominator, out var r);
        int cmp = (r * 2).CompareTo(denominator);
        if (cmp > 0 || (cmp == 0 && !q.IsEven)) q += 1;
        var value = double.Parse($"{q}E-{digits}", NumberStyles.Float, CultureInfo.InvariantCulture);
        return negative ? -value : value;
    }

    /// <summary>Python's repr of a float (shortest round-trip form, ".0" for integral values).</summary>
    public static string PythonFloat(double x)
    {
        var s = x.ToString("R", CultureInfo.InvariantCulture);
        return s.Contains('.') || s.Contains('E') ? s : s + ".0";
    }

    public static string PythonDict(IReadOnlyDictionary<int, double> d) =>
        "{" + string.Join(", ", d.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}: {PythonFloat(kv.Value)}")) + "}";
}
