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
    private readonly double[] _xAll, _yAll, _eyAll;
    private readonly double[] _x, _y, _ey;   // selected points

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
        _xAll = new double[_points]; _yAll = new double[_points]; _eyAll = new double[_points];
        _x = new double[_points]; _y = new double[_points]; _ey = new double[_points];
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
        var eyAll = _eyAll.AsSpan(0, nall);

        var result = default(PixelFit);
        double slopeV = vcal.Slope, offsetV = vcal.Offset;
        double xmin = 0.1 * slopeV + offsetV;
        float lowMean = 255, highMean = 0;
        for (int i = 0; i < nall; i++)
        {
            xAll[i] = _vcalLow[i] * slopeV + offsetV;
            double y = 0, ey = 0;
            uint n = entries[i];
            if (n > _minEntries)
            {
                // Single precision as the reference: float mean and float E[adc^2]; the difference in double.
                float fn = n;
                float mean = sums[i] / fn;
                y = mean;
                double variance = (double)(sumSquares[i] / fn) - y * y;
                ey = Math.Sqrt(variance) / Math.Sqrt(n);
                if (mean < lowMean) lowMean = mean;
                if (mean > highMean) highMean = mean;
            }
            yAll[i] = y;
            eyAll[i] = ey;
        }
        result.LowMean = lowMean;
        result.HighMean = highMean;

        double plateau = 0;
        bool noPlateau = false;
        if (nall >= 4)
        {
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
            int inPlateau = 0;
            for (int i = 0; i < nall; i++)
                if (Math.Abs(yAll[i] - plateau) < 10 || yAll[i] == 0) inPlateau++;
            result.Plateau = (float)plateau;
            if (inPlateau >= nall - 2)
            {
                result.Status = FitStatus.TooManyPlateauPoints;
                return result;
            }
        }
        else
        {
            plateau = 255;
        }
        result.Plateau = (float)plateau;

        int npoints = Select(entries, xAll, yAll, eyAll, xmin, plateau, noPlateau);
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
        if (Math.Abs(gain) > _settings.MaxGain || gain < 0) status = FitStatus.GainOutOfRange;

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

    /// <summary>Point selection of doFits, with the take-the-first-four fallback. Returns npoints.</summary>
    private int Select(ReadOnlySpan<byte> entries, Span<double> xAll, Span<double> yAll, Span<double> eyAll,
        double xmin, double plateau, bool noPlateau)
    {
        int nall = xAll.Length;
        double maxGood = plateau * _maxGoodFactor;
        bool suppressSingle = _settings.SuppressPointsWithOneEntryOrLess;
        int npoints = 0;
        for (int i = 0; i < nall; i++)
        {
            if (_settings.RejectVCalZero && xAll[i] < xmin) continue;
            if (entries[i] <= _minEntries && suppressSingle) continue;
            if (yAll[i] > maxGood && !noPlateau) continue;
            if (i > 1 && Math.Abs(yAll[i] - yAll[i - 1]) < 5.0 && yAll[i] > 0.8 * maxGood && _settings.SuppressPlateauInFit) break;
            Take(ref npoints, i, xAll, yAll, eyAll);
        }
        if (npoints < 4)
        {
            npoints = 0;
            for (int i = 0; i < nall && npoints < 4 && yAll[i] < plateau * 0.97; i++)
            {
                if (yAll[i] > 0)
                {
                    if (i > 0 && yAll[i] - yAll[i - 1] < 0.1) continue;
                    Take(ref npoints, i, xAll, yAll, eyAll);
                }
            }
        }
        return npoints;
    }

    private void Take(ref int npoints, int i, Span<double> xAll, Span<double> yAll, Span<double> eyAll)
    {
        _x[npoints] = xAll[i];
        _y[npoints] = yAll[i];
        _ey[npoints] = eyAll[i];
        npoints++;
    }

    /// <summary>
    /// Minimum of the chi2 of ADC = p0 + p1 x over the selected points, as ROOT fits a TGraphErrors
    /// (HFitInterface): weighted by 1/ey^2, points with ey &lt;= 0 left out; if no point has ey &gt; 0, or when
    /// <paramref name="weighted"/> is false (option W), every point with weight 1 and the parameter errors scaled by
    /// sqrt(chi2/ndf) (FitResult::NormalizeErrors; not when chi2 or ndf is 0). Returns the fit status: 0 ok,
    /// 1 when the chi2 has no unique minimum (fewer than two weighted points).
    /// </summary>
    private int LeastSquares(int n, bool weighted, out double p0, out double p1, out double e0, out double e1, out double chi2)
    {
        var x = _x.AsSpan(0, n);
        var y = _y.AsSpan(0, n);
        var ey = _ey.AsSpan(0, n);
        if (weighted)
        {
            bool anyError = false;
            for (int i = 0; i < n; i++) if (ey[i] > 0) { anyError = true; break; }
            weighted = anyError;
        }

        double s = 0, sx = 0, sy = 0;
        int used = 0;
        for (int i = 0; i < n; i++)
        {
            double w = 1;
            if (weighted)
            {
                // NaN passes ROOT's "error <= 0" test and poisons the fit, as it does in the reference.
                if (ey[i] <= 0) continue;
                w = 1 / (ey[i] * ey[i]);
            }
            s += w; sx += w * x[i]; sy += w * y[i];
            used++;
        }
        double xbar = sx / s, ybar = sy / s;
        double sxx = 0, sxy = 0;
        for (int i = 0; i < n; i++)
        {
            double w = 1;
            if (weighted)
            {
                if (ey[i] <= 0) continue;
                w = 1 / (ey[i] * ey[i]);
            }
            double dx = x[i] - xbar;
            sxx += w * dx * dx;
            sxy += w * dx * (y[i] - ybar);
        }

        if (weighted && used < 2)
        {
            // One weighted point: a valley of lines through it with chi2 = 0 and a singular covariance
            // (Minuit reports a non-zero status). Take the line of the unweighted fit and flag the fit.
            LeastSquares(n, weighted: false, out p0, out p1, out e0, out e1, out _);
            chi2 = 0;
            return 1;
        }

        p1 = sxy / sxx;
        p0 = ybar - p1 * xbar;
        double var1 = 1 / sxx;
        double var0 = 1 / s + xbar * xbar / sxx;
        chi2 = 0;
        for (int i = 0; i < n; i++)
        {
            double w = 1;
            if (weighted)
            {
                if (ey[i] <= 0) continue;
                w = 1 / (ey[i] * ey[i]);
            }
            double r = y[i] - p0 - p1 * x[i];
            chi2 += w * r * r;
        }
        if (!weighted)
        {
            int rootNdf = used - ParameterCount;
            if (rootNdf != 0 && chi2 > 0)
            {
                double scale = chi2 / rootNdf;
                var1 *= scale;
                var0 *= scale;
            }
        }
        e1 = Math.Sqrt(var1);
        e0 = Math.Sqrt(var0);
        bool finite = double.IsFinite(p0) && double.IsFinite(p1) && double.IsFinite(var0) && double.IsFinite(var1);
        return finite && sxx > 0 ? 0 : 1;
    }
}
