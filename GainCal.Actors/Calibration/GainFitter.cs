using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GainCal.Calibration;

/// <summary>
/// The per-pixel gain fit of SiPixelGainCalibrationAnalysis::doFits (domain.md 5, docs/reference-fit.md):
/// mean ADC per VCal point, plateau detection, point selection, straight-line chi2 fit ADC = p0 + p1 * electrons,
/// status codes. The Minuit fit of the reference is replaced by its exact minimum (weighted least squares),
/// with ROOT's treatment of zero errors. One instance per thread: scratch buffers are reused, Fit allocates nothing.
/// </summary>
public sealed class GainFitter
{
    private const int ParameterCount = 2;

    private readonly FitSettings _settings;
    private readonly int _points;
    private readonly uint _minEntries;
    private readonly double _maxGoodFactor;
    private readonly double[] _vcalLow;      // VCal in low-range units, per point
    private readonly double[] _xAll, _yAll;
    private readonly float[] _meanSquares;   // E[adc^2] per point, float as in the reference
    private readonly double[] _x, _y, _w;   // selected points and their chi2 weights
    private VCalConversion _lastConversion;
    private bool _haveConversion;

    public GainFitter(CalibrationPattern pattern, FitSettings settings)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _points = Math.Min(pattern.PointCount, CalibrationPattern.MaxPoints);
        _minEntries = settings.SuppressPointsWithOneEntryOrLess ? 1u : 0u;
        _maxGoodFactor = 1.0 - settings.PlateauFraction;
        _vcalLow = new double[_points];
        for (int i = 0; i < _points; i++)
        {
            // The reference holds VCal values as short and scales them in double.
            double v = (short)pattern.VCalValues[i];
            _vcalLow[i] = settings.UseVCalHigh ? v * settings.VCalHighToLow : v;
        }
        _xAll = new double[_points]; _yAll = new double[_points]; _meanSquares = new float[_points];
        _x = new double[_points]; _y = new double[_points]; _w = new double[_points];
    }

    public FitSettings Settings => _settings;
    public int PointCount => _points;

    /// <summary>
    /// Fits one pixel. entries are the 8-bit hit counters per VCal point, sums the ADC sums, sumSquares the
    /// sums of ADC squared (SiPixelCalibDigi); each span holds at least PointCount values.
    /// </summary>
    public PixelFit Fit(ReadOnlySpan<byte> entries, ReadOnlySpan<uint> sums, ReadOnlySpan<uint> sumSquares, VCalConversion vcal)
    {
        int nall = _points;
        if (entries.Length < nall || sums.Length < nall || sumSquares.Length < nall)
            throw new ArgumentException($"need {nall} values per span, got entries {entries.Length}, sums {sums.Length}, sumSquares {sumSquares.Length}");
        entries = entries[..nall]; sums = sums[..nall]; sumSquares = sumSquares[..nall];
        var xAll = _xAll.AsSpan(0, nall);
        var yAll = _yAll.AsSpan(0, nall);

        var result = default(PixelFit);
        double slopeV = vcal.Slope, offsetV = vcal.Offset;
        double xmin = 0.1 * slopeV + offsetV;
        float lowMean = 255, highMean = 0;
        if (!_haveConversion || !vcal.Equals(_lastConversion))
        {
            // Pixels come module by module: the electron scale is recomputed only when the module changes.
            for (int i = 0; i < xAll.Length; i++) xAll[i] = _vcalLow[i] * slopeV + offsetV;
            _lastConversion = vcal;
            _haveConversion = true;
        }
        Means(entries, sums, sumSquares, yAll, ref lowMean, ref highMean);
        result.LowMean = lowMean;
        result.HighMean = highMean;

        // Plateau from the last four points (255 without four points or when they disagree by more than 5 ADC).
        double plateau = 255;
        bool noPlateau = false;
        if (nall >= 4)
        {
            plateau = 0;
            for (int i = nall - 1; i > nall - 5; i--) plateau += yAll[i];
            plateau /= 4;
            for (int i = nall - 1; i > nall - 5; i--)
            {
                if (Math.Abs(yAll[i] - plateau) > 5)
                {
                    // Later points are then compared with 255, as in the reference.
                    plateau = 255;
                    noPlateau = true;
                }
            }
        }
        result.Plateau = (float)plateau;
        if (nall >= 4)
        {
            int inPlateau = 0;
            for (int i = 0; i < nall; i++)
                if (Math.Abs(yAll[i] - plateau) < 10 || yAll[i] == 0) inPlateau++;
            if (inPlateau >= nall - 2)
            {
                result.Status = FitStatus.TooManyPlateauPoints;
                return result;
            }
        }

        int npoints = Select(entries, xAll, yAll, xmin, plateau, noPlateau);
        result.Points = npoints;
        if (npoints < 2)
        {
            result.Status = FitStatus.TooFewPoints;
            return result;
        }

        int code = LeastSquares(npoints, weighted: true, out double p0, out double p1, out double e0, out double e1, out double chi2);
        float slope = (float)p1, pedestal = (float)p0;
        if (float.IsNaN(slope) || float.IsNaN(pedestal))
        {
            // The reference refits up to 10 times with option W (all errors 1); the result is deterministic,
            // so one unweighted fit gives what the tenth would.
            code = LeastSquares(npoints, weighted: false, out p0, out p1, out e0, out e1, out chi2);
            slope = (float)p1;
            pedestal = (float)p0;
        }
        int ndf = npoints - ParameterCount;
        // ndf == 0: the reference divides chi2 by zero; Minuit stops at a tiny positive chi2, so +inf.
        float chi2Ndf = ndf == 0 ? float.PositiveInfinity : (float)(chi2 / (double)((float)npoints - ParameterCount));
        float probability = (float)ChiSquare.Probability(chi2, ndf);

        var status = code == 0 ? FitStatus.Ok : FitStatus.NoStatus;
        float gain = slope;
        if (gain != 0) gain = (float)(1.0 / gain);
        if (float.IsNaN(gain) || float.IsNaN(pedestal)) status = FitStatus.NotANumber;
        if (probability < _settings.ProbabilityThreshold) status = FitStatus.LowProbability;
        if (chi2Ndf > _settings.Chi2NdfThreshold && _settings.Chi2NdfThreshold >= 0) status = FitStatus.HighChi2;
        if (noPlateau) status = FitStatus.NoPlateau;
        if (nall < 4) status = FitStatus.TooFewPoints;
        // slope == 0 happens when every fitted point has the same mean: the exact minimum is flat, where Minuit
        // stops at a tiny slope of either sign, i.e. a huge or negative gain.
        if (Math.Abs(gain) > _settings.MaxGain || gain < 0 || slope == 0) status = FitStatus.GainOutOfRange;

        result.Status = status;
        result.Gain = gain;
        result.Pedestal = pedestal;
        result.GainError = (float)e1;
        result.PedestalError = (float)e0;
        result.Chi2Ndf = chi2Ndf;
        result.Probability = probability;
        result.LowPoint = (float)_x[0];
        result.HighPoint = (float)_x[npoints - 1];
        return result;
    }

    /// <summary>
    /// Mean ADC per point (0 without enough entries) and the running low / high mean, plus E[adc^2] for the errors
    /// of the points that get selected. Both divisions are float divisions as in the reference; four points at a
    /// time (a vector division rounds each lane exactly like a scalar one).
    /// </summary>
    private void Means(ReadOnlySpan<byte> entries, ReadOnlySpan<uint> sums, ReadOnlySpan<uint> sumSquares,
        Span<double> yAll, ref float lowMean, ref float highMean)
    {
        var meanSquares = _meanSquares.AsSpan(0, yAll.Length);
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var minEntries = Vector128.Create((float)_minEntries);
            var low = Vector128.Create(lowMean);
            var high = Vector128.Create(highMean);
            // int conversion is exact rounding for sums below 2^31 (all real ones); larger ones take the scalar path.
            var signBit = Vector128.Create(0x8000_0000u);
            ref uint sumRef = ref MemoryMarshal.GetReference(sums);
            ref uint squareRef = ref MemoryMarshal.GetReference(sumSquares);
            for (; i + 4 <= yAll.Length; i += 4)
            {
                var s = Vector128.LoadUnsafe(ref sumRef, (nuint)i);
                var q = Vector128.LoadUnsafe(ref squareRef, (nuint)i);
                if (((s | q) & signBit) != Vector128<uint>.Zero) break;
                var n = Vector128.Create((float)entries[i], entries[i + 1], entries[i + 2], entries[i + 3]);
                var valid = Vector128.GreaterThan(n, minEntries);
                var mean = Vector128.ConvertToSingle(s.AsInt32()) / n;
                var meanSquare = Vector128.ConvertToSingle(q.AsInt32()) / n;
                var y = Vector128.ConditionalSelect(valid, mean, Vector128<float>.Zero);
                low = Vector128.MinNative(low, Vector128.ConditionalSelect(valid, mean, low));
                high = Vector128.MaxNative(high, y);
                Vector128.WidenLower(y).StoreUnsafe(ref MemoryMarshal.GetReference(yAll), (nuint)i);
                Vector128.WidenUpper(y).StoreUnsafe(ref MemoryMarshal.GetReference(yAll), (nuint)(i + 2));
                meanSquare.StoreUnsafe(ref MemoryMarshal.GetReference(meanSquares), (nuint)i);
            }
            for (int lane = 0; lane < 4; lane++)
            {
                lowMean = Math.Min(lowMean, low[lane]);
                highMean = Math.Max(highMean, high[lane]);
            }
        }
        for (; i < yAll.Length; i++)
        {
            double y = 0;
            uint n = entries[i];
            if (n > _minEntries)
            {
                float mean = sums[i] / (float)n;
                meanSquares[i] = sumSquares[i] / (float)n;
                y = mean;
                // Means are finite and >= 0 here, so Min/Max equal the reference's compare-and-assign.
                lowMean = Math.Min(lowMean, mean);
                highMean = Math.Max(highMean, mean);
            }
            yAll[i] = y;
        }
    }

    /// <summary>Point selection of doFits, with the take-the-first-four fallback. Returns npoints.</summary>
    private int Select(ReadOnlySpan<byte> entries, Span<double> xAll, Span<double> yAll,
        double xmin, double plateau, bool noPlateau)
    {
        int nall = xAll.Length;
        double maxGood = plateau * _maxGoodFactor;
        bool suppressSingle = _settings.SuppressPointsWithOneEntryOrLess;
        bool rejectVCalZero = _settings.RejectVCalZero, suppressPlateau = _settings.SuppressPlateauInFit;
        uint minEntries = _minEntries;
        double nearPlateau = 0.8 * maxGood;
        int npoints = 0;
        for (int i = 0; i < nall; i++)
        {
            if (rejectVCalZero && xAll[i] < xmin) continue;
            if (entries[i] <= minEntries && suppressSingle) continue;
            if (yAll[i] > maxGood && !noPlateau) continue;
            if (i > 1 && Math.Abs(yAll[i] - yAll[i - 1]) < 5.0 && yAll[i] > nearPlateau && suppressPlateau) break;
            Take(npoints++, i, entries, xAll, yAll);
        }
        if (npoints < 4)
        {
            npoints = 0;
            for (int i = 0; i < nall && npoints < 4 && yAll[i] < plateau * 0.97; i++)
            {
                if (yAll[i] > 0)
                {
                    if (i > 0 && yAll[i] - yAll[i - 1] < 0.1) continue;
                    Take(npoints++, i, entries, xAll, yAll);
                }
            }
        }
        return npoints;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Take(int slot, int i, ReadOnlySpan<byte> entries, Span<double> xAll, Span<double> yAll)
    {
        double y = yAll[i], w = 0;
        uint n = entries[i];
        if (n > _minEntries)
        {
            // The reference's error on the mean is ey = sqrt(E[adc^2] - mean^2) / sqrt(n), with E[adc^2] a float
            // and the difference in double; ROOT weighs by 1/ey^2 = n / variance. A zero variance (ey == 0) leaves
            // the point out of the chi2 (weight 0); a negative one (possible once the 8-bit counter wrapped) makes
            // ey NaN, which ROOT keeps and which poisons the fit (weight NaN).
            double variance = (double)_meanSquares[i] - y * y;
            w = variance > 0 ? n / variance : variance == 0 ? 0 : double.NaN;
        }
        _x[slot] = xAll[i];
        _y[slot] = y;
        _w[slot] = w;
    }

    /// <summary>
    /// Minimum of the chi2 of ADC = p0 + p1 x over the selected points, as ROOT fits a TGraphErrors
    /// (HFitInterface): weighted by 1/ey^2, points with ey &lt;= 0 left out; if no point has ey &gt; 0, or when
    /// <paramref name="weighted"/> is false (option W), every point with weight 1 and the parameter errors scaled by
    /// sqrt(chi2/ndf) (FitResult::NormalizeErrors; not when ndf is 0). Returns the fit status: 0 ok,
    /// 1 when the chi2 has no unique minimum (fewer than two weighted points).
    /// </summary>
    private int LeastSquares(int n, bool weighted, out double p0, out double p1, out double e0, out double e1, out double chi2)
    {
        var x = _x.AsSpan(0, n);
        var y = _y.AsSpan(0, n);
        var w = _w.AsSpan(0, n);
        if (weighted)
        {
            // ROOT fits without weights when no point has an error > 0 (HFitInterface, kNoError).
            bool anyError = false;
            for (int i = 0; i < w.Length; i++) if (w[i] > 0) { anyError = true; break; }
            weighted = anyError;
        }

        // Sums about the first point, so that the centring below does not cancel digits.
        double x0 = x[0], y0 = y[0];
        double s = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        int used = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double wi = weighted ? w[i] : 1;
            // w is 0 for the points ROOT leaves out (error <= 0); NaN for a NaN error, which ROOT keeps.
            if (wi != 0) used++;
            double dx = x[i] - x0, dy = y[i] - y0;
            s += wi; sx += wi * dx; sy += wi * dy; sxx += wi * dx * dx; sxy += wi * dx * dy;
        }

        if (weighted && used < 2)
        {
            // One weighted point: a valley of lines through it with chi2 = 0 and a singular covariance
            // (Minuit reports a non-zero status). Take the line of the unweighted fit and flag the fit.
            LeastSquares(n, weighted: false, out p0, out p1, out e0, out e1, out _);
            chi2 = 0;
            return 1;
        }

        double dxMean = sx / s, dyMean = sy / s;
        double sxxc = sxx - sx * dxMean;
        double sxyc = sxy - sx * dyMean;
        double xMean = x0 + dxMean;
        p1 = sxyc / sxxc;
        p0 = y0 + dyMean - p1 * xMean;
        double var1 = 1 / sxxc;
        double var0 = 1 / s + xMean * xMean / sxxc;
        chi2 = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = y[i] - p0 - p1 * x[i];
            chi2 += (weighted ? w[i] : 1) * r * r;
        }
        if (!weighted)
        {
            // FitResult::NormalizeErrors skips chi2 <= 0, but Minuit's minimum is never exactly 0; scaling here
            // whenever ndf > 0 gives an exact line errors 0 (ROOT: minimiser noise) instead of unit-error values.
            int rootNdf = used - ParameterCount;
            if (rootNdf > 0)
            {
                double scale = chi2 / rootNdf;
                var1 *= scale;
                var0 *= scale;
            }
        }
        e1 = Math.Sqrt(var1);
        e0 = Math.Sqrt(var0);
        bool finite = double.IsFinite(p0) && double.IsFinite(p1) && double.IsFinite(var0) && double.IsFinite(var1);
        return finite && sxxc > 0 ? 0 : 1;
    }
}
