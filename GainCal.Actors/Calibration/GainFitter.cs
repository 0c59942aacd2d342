using System.Numerics;
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
    private readonly double[] _xAll;         // electrons per point, for the current module's VCal conversion
    private readonly double[] _yPadded;      // 0, the mean ADC per point: vector loads of y[i-1] and y[i]
    // Per point, one bit each (64 points per word): enough entries, below VCal 0.1, above maxgood, flat near the plateau.
    private readonly ulong[] _enough, _lowX, _high, _flat;
    private readonly double[] _wAll;         // chi2 weight per point
    private readonly double[] _x, _y, _w;   // selected points and their chi2 weights
    private readonly int[] _taken;          // indices of the selected points
    // Weighted sums of the selected points about the first one (Accumulate).
    private double _s, _sx, _sy, _sxx, _sxy;
    private int _weightedPoints;
    private bool _anyError;
    private VCalConversion _lastConversion;
    private bool _haveConversion;
    private int _selected;

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
        // Spare values after the last point: whole vectors of 4 from any point on (Accumulate), of 8 from any
        // multiple of 8 (Classify).
        _xAll = new double[_points + 3];
        _yPadded = new double[1 + _points + 7];
        int words = (_points + 63) / 64;
        _enough = new ulong[words]; _lowX = new ulong[words]; _high = new ulong[words]; _flat = new ulong[words]; _wAll = new double[_points + 3];
        int padded = (_points + 3) & ~3;
        _x = new double[padded]; _y = new double[padded]; _w = new double[padded]; _taken = new int[_points];
    }

    public FitSettings Settings => _settings;
    public int PointCount => _points;

    /// <summary>Electrons of each point for the last fit's module (x_i).</summary>
    public ReadOnlySpan<double> LastCharges => _xAll.AsSpan(0, _points);
    /// <summary>Mean ADC of each point in the last fit (y_i, 0 for points with one entry or fewer).</summary>
    public ReadOnlySpan<double> LastMeans => _yPadded.AsSpan(1, _points);
    /// <summary>Indices of the points the reference's selection kept in the last fit, in order (empty for an early exit before selection).</summary>
    public ReadOnlySpan<int> LastSelection => _taken.AsSpan(0, _selected);

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
        var yAll = _yPadded.AsSpan(1, nall);

        var result = default(PixelFit);
        _selected = 0;
        double slopeV = vcal.Slope, offsetV = vcal.Offset;
        double xmin = 0.1 * slopeV + offsetV;
        float lowMean = 255, highMean = 0;
        if (!_haveConversion || !vcal.Equals(_lastConversion))
        {
            // Pixels come module by module: the electron scale is recomputed only when the module changes.
            Array.Clear(_lowX);
            for (int i = 0; i < xAll.Length; i++)
            {
                xAll[i] = _vcalLow[i] * slopeV + offsetV;
                if (xAll[i] < xmin) _lowX[i >> 6] |= 1UL << i;
            }
            _lastConversion = vcal;
            _haveConversion = true;
        }
        Means(entries, sums, sumSquares, yAll, _wAll.AsSpan(0, nall), ref lowMean, ref highMean);
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
        int inPlateau = Classify(nall, plateau);
        if (nall >= 4 && inPlateau >= nall - 2)
        {
            result.Status = FitStatus.TooManyPlateauPoints;
            return result;
        }

        int npoints = Select(yAll, plateau, noPlateau);
        _selected = npoints;
        result.Points = npoints;
        if (npoints < 2)
        {
            result.Status = FitStatus.TooFewPoints;
            return result;
        }
        Accumulate(npoints, xAll, yAll);

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
    /// Per point: mean ADC (0 without enough entries), the chi2 weight n / variance of that mean, and whether the point
    /// has enough entries; plus the running low / high mean. Means and E[adc^2] are float divisions as in the reference
    /// (a vector division rounds each lane exactly like a scalar one); the variance E[adc^2] - mean^2 is a double, and
    /// ROOT weighs a point by 1/ey^2 = n / variance: a zero variance (ey == 0) leaves the point out of the chi2
    /// (weight 0); a negative one (possible once the 8-bit counter wrapped) makes ey NaN, which ROOT keeps and which
    /// poisons the fit (weight NaN).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Means(ReadOnlySpan<byte> entries, ReadOnlySpan<uint> sums, ReadOnlySpan<uint> sumSquares,
        Span<double> yAll, Span<double> wAll, ref float lowMean, ref float highMean)
    {
        var enough = _enough;
        for (int w = 0; w < enough.Length; w++) enough[w] = 0;
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var minEntries = Vector128.Create((float)_minEntries);
            var low = Vector128.Create(lowMean);
            var high = Vector128.Create(highMean);
            // int conversion is exact rounding for sums below 2^31 (all real ones); larger ones take the scalar path.
            var signBit = Vector128.Create(0x8000_0000u);
            var nan = Vector256.Create(double.NaN);
            ref byte entryRef = ref MemoryMarshal.GetReference(entries);
            ref uint sumRef = ref MemoryMarshal.GetReference(sums);
            ref uint squareRef = ref MemoryMarshal.GetReference(sumSquares);
            ref double yRef = ref MemoryMarshal.GetReference(yAll);
            ref double wRef = ref MemoryMarshal.GetReference(wAll);
            for (; i < yAll.Length; i += 4)
            {
                if (i + 4 > yAll.Length)
                {
                    // The last points: one block ending at the last point, overlapping the one before (a point done twice
                    // gets the same values, bits and min / max), unless it would straddle two words of the bit masks.
                    int last = yAll.Length - 4;
                    if (last < 0 || (last & 63) > 60) break;
                    i = last;
                }
                var s = Vector128.LoadUnsafe(ref sumRef, (nuint)i);
                var q = Vector128.LoadUnsafe(ref squareRef, (nuint)i);
                if (((s | q) & signBit) != Vector128<uint>.Zero) break;
                // Four 8-bit counters in one read (i + 4 <= length), widened to floats.
                var counts = Vector128.CreateScalar(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref entryRef, i))).AsByte();
                var n = Vector128.ConvertToSingle(Vector128.WidenLower(Vector128.WidenLower(counts)).AsInt32());
                var valid = Vector128.GreaterThan(n, minEntries);
                enough[i >> 6] |= (ulong)valid.ExtractMostSignificantBits() << i;
                var mean = Vector128.ConvertToSingle(s.AsInt32()) / n;
                var y = Vector128.ConditionalSelect(valid, mean, Vector128<float>.Zero);
                low = Vector128.MinNative(low, Vector128.ConditionalSelect(valid, mean, low));
                high = Vector128.MaxNative(high, y);
                var y4 = Vector256.WidenLower(y.ToVector256Unsafe());
                y4.StoreUnsafe(ref yRef, (nuint)i);
                var variance = Vector256.WidenLower((Vector128.ConvertToSingle(q.AsInt32()) / n).ToVector256Unsafe()) - y4 * y4;
                var n4 = Vector256.WidenLower(n.ToVector256Unsafe());
                var w = Vector256.ConditionalSelect(Vector256.GreaterThan(variance, Vector256<double>.Zero), n4 / variance,
                    Vector256.ConditionalSelect(Vector256.Equals(variance, Vector256<double>.Zero), Vector256<double>.Zero, nan));
                Vector256.ConditionalSelect(Vector256.WidenLower(valid.AsInt32().ToVector256Unsafe()).AsDouble(), w, Vector256<double>.Zero)
                    .StoreUnsafe(ref wRef, (nuint)i);
            }
            // Across the lanes (they started from lowMean / highMean); the means are finite, so the order does not matter.
            low = Vector128.MinNative(low, Vector128.Shuffle(low, Vector128.Create(2, 3, 0, 1)));
            high = Vector128.MaxNative(high, Vector128.Shuffle(high, Vector128.Create(2, 3, 0, 1)));
            lowMean = Vector128.MinNative(low, Vector128.Shuffle(low, Vector128.Create(1, 0, 3, 2))).ToScalar();
            highMean = Vector128.MaxNative(high, Vector128.Shuffle(high, Vector128.Create(1, 0, 3, 2))).ToScalar();
        }
        for (; i < yAll.Length; i++)
        {
            double y = 0, w = 0;
            uint n = entries[i];
            if (n > _minEntries)
            {
                enough[i >> 6] |= 1UL << i;
                float mean = sums[i] / (float)n;
                y = mean;
                double variance = (double)(sumSquares[i] / (float)n) - y * y;
                w = variance > 0 ? n / variance : variance == 0 ? 0 : double.NaN;
                // Means are finite and >= 0 here, so Min/Max equal the reference's compare-and-assign.
                lowMean = Math.Min(lowMean, mean);
                highMean = Math.Max(highMean, mean);
            }
            yAll[i] = y;
            wAll[i] = w;
        }
    }

    /// <summary>
    /// Sets the per-point bits that depend on the plateau (above maxgood; flat near the plateau, from the third point
    /// on) and returns the reference's nPointsInPlateau: |y - plateau| &lt; 10 or y == 0. Several points at a time,
    /// the same double comparisons as the reference's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Classify(int nall, double plateau)
    {
        double maxGood = plateau * _maxGoodFactor;
        ref double previous = ref MemoryMarshal.GetArrayDataReference(_yPadded);
        ref double current = ref Unsafe.Add(ref previous, 1);
        for (int w = 0; w < _high.Length; w++) _high[w] = _flat[w] = 0;
        int inPlateau = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            // Eight points at a time where the machine has 512-bit vectors (measured 4-6 % less CPU per pixel than four).
            var vMaxGood = Vector512.Create(maxGood);
            var vNearPlateau = Vector512.Create(0.8 * maxGood);
            var vPlateau = Vector512.Create(plateau);
            for (int i = 0; i < nall; i += 8)
            {
                var y = Vector512.LoadUnsafe(ref current, (nuint)i);
                var yPrevious = Vector512.LoadUnsafe(ref previous, (nuint)i);
                ulong lanes = i + 8 <= nall ? 0xFFUL : (1UL << (nall - i)) - 1;
                ulong plateauBits = (Vector512.LessThan(Vector512.Abs(y - vPlateau), Vector512.Create(10.0)) | Vector512.Equals(y, Vector512<double>.Zero)).ExtractMostSignificantBits();
                inPlateau += BitOperations.PopCount(plateauBits & lanes);
                _high[i >> 6] |= (Vector512.GreaterThan(y, vMaxGood).ExtractMostSignificantBits() & lanes) << i;
                var flat = Vector512.LessThan(Vector512.Abs(y - yPrevious), Vector512.Create(5.0)) & Vector512.GreaterThan(y, vNearPlateau);
                _flat[i >> 6] |= (flat.ExtractMostSignificantBits() & lanes) << i;
            }
        }
        else
        {
            var vMaxGood = Vector256.Create(maxGood);
            var vNearPlateau = Vector256.Create(0.8 * maxGood);
            var vPlateau = Vector256.Create(plateau);
            for (int i = 0; i < nall; i += 4)
            {
                var y = Vector256.LoadUnsafe(ref current, (nuint)i);
                var yPrevious = Vector256.LoadUnsafe(ref previous, (nuint)i);
                uint lanes = i + 4 <= nall ? 0xFu : (1u << (nall - i)) - 1;
                uint plateauBits = (Vector256.LessThan(Vector256.Abs(y - vPlateau), Vector256.Create(10.0)) | Vector256.Equals(y, Vector256<double>.Zero)).ExtractMostSignificantBits();
                inPlateau += BitOperations.PopCount(plateauBits & lanes);
                _high[i >> 6] |= (ulong)(Vector256.GreaterThan(y, vMaxGood).ExtractMostSignificantBits() & lanes) << i;
                var flat = Vector256.LessThan(Vector256.Abs(y - yPrevious), Vector256.Create(5.0)) & Vector256.GreaterThan(y, vNearPlateau);
                _flat[i >> 6] |= (ulong)(flat.ExtractMostSignificantBits() & lanes) << i;
            }
        }
        _flat[0] &= ~3UL;
        return inPlateau;
    }

    /// <summary>Point selection of doFits, with the take-the-first-four fallback: the indices of the points taken,
    /// in order, into _taken. Returns npoints.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Select(Span<double> yAll, double plateau, bool noPlateau)
    {
        int nall = yAll.Length;
        var taken = _taken;
        int npoints = 0;
        int words = _enough.Length;
        ulong lastValid = nall % 64 == 0 ? ~0UL : (1UL << nall) - 1;
        for (int w = 0; w < words; w++)
        {
            // The reference's loop: skip VCal-0 points, points with too few entries, points above maxgood (unless
            // there is no plateau); stop at the first point that is not skipped and is flat near the plateau.
            ulong skip = 0;
            if (_settings.RejectVCalZero) skip |= _lowX[w];
            if (_settings.SuppressPointsWithOneEntryOrLess) skip |= ~_enough[w];
            if (!noPlateau) skip |= _high[w];
            ulong keep = ~skip & (w == words - 1 ? lastValid : ~0UL);
            ulong stop = _settings.SuppressPlateauInFit ? _flat[w] & keep : 0;
            if (stop != 0) keep &= (1UL << BitOperations.TrailingZeroCount(stop)) - 1;
            for (; keep != 0; keep &= keep - 1) taken[npoints++] = (w << 6) + BitOperations.TrailingZeroCount(keep);
            if (stop != 0) break;
        }
        if (npoints < 4)
        {
            npoints = 0;
            for (int i = 0; i < nall && npoints < 4 && yAll[i] < plateau * 0.97; i++)
            {
                if (yAll[i] > 0)
                {
                    if (i > 0 && yAll[i] - yAll[i - 1] < 0.1) continue;
                    taken[npoints++] = i;
                }
            }
        }
        return npoints;
    }

    /// <summary>
    /// Copies the taken points to _x, _y with their chi2 weights in _w, and sums them (weighted, about the first
    /// point so that the centring in <see cref="LeastSquares"/> does not cancel digits), four points at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Accumulate(int npoints, Span<double> xAll, Span<double> yAll)
    {
        var taken = _taken.AsSpan(0, npoints);
        var wAll = _wAll.AsSpan(0, xAll.Length);
        int first = taken[0];
        ref double xRef = ref MemoryMarshal.GetArrayDataReference(_x);
        ref double yRef = ref MemoryMarshal.GetArrayDataReference(_y);
        ref double wRef = ref MemoryMarshal.GetArrayDataReference(_w);
        // Usually the selection is one run of points: read a vector at a time where they are (the per-point arrays
        // have three spare values after the last point) and copied on the way; otherwise gathered first.
        bool oneRun = taken[^1] - first == npoints - 1;
        ref double xFrom = ref oneRun ? ref Unsafe.Add(ref MemoryMarshal.GetReference(xAll), first) : ref xRef;
        ref double yFrom = ref oneRun ? ref Unsafe.Add(ref MemoryMarshal.GetReference(yAll), first) : ref yRef;
        ref double wFrom = ref oneRun ? ref Unsafe.Add(ref MemoryMarshal.GetReference(wAll), first) : ref wRef;
        if (!oneRun)
        {
            for (int slot = 0; slot < taken.Length; slot++)
            {
                int i = taken[slot];
                _x[slot] = xAll[i];
                _y[slot] = yAll[i];
                _w[slot] = wAll[i];
            }
        }
        var vx0 = Vector256.Create(xFrom);
        var vy0 = Vector256.Create(yFrom);
        var count = Vector256.Create((long)npoints);
        var lane = Vector256.Create(0L, 1, 2, 3);
        Vector256<double> s = default, sx = default, sy = default, sxx = default, sxy = default;
        // Points with a weight (w != 0, NaN included) and points with an error (w > 0).
        uint withError = 0;
        int weightedPoints = 0;
        for (int slot = 0; slot < npoints; slot += 4)
        {
            var x = Vector256.LoadUnsafe(ref xFrom, (nuint)slot);
            var y = Vector256.LoadUnsafe(ref yFrom, (nuint)slot);
            var w = Vector256.LoadUnsafe(ref wFrom, (nuint)slot);
            x.StoreUnsafe(ref xRef, (nuint)slot);
            y.StoreUnsafe(ref yRef, (nuint)slot);
            w.StoreUnsafe(ref wRef, (nuint)slot);
            // Lanes past the last point are weight 0 at the first point: exactly +0 in every sum.
            var real = Vector256.LessThan(lane + Vector256.Create((long)slot), count).AsDouble();
            w = Vector256.ConditionalSelect(real, w, Vector256<double>.Zero);
            var dx = Vector256.ConditionalSelect(real, x - vx0, Vector256<double>.Zero);
            var dy = Vector256.ConditionalSelect(real, y - vy0, Vector256<double>.Zero);
            var wdx = w * dx;
            var wdy = w * dy;
            s += w; sx += wdx; sy += wdy; sxx += wdx * dx; sxy += wdx * dy;
            weightedPoints += BitOperations.PopCount(~Vector256.Equals(w, Vector256<double>.Zero).ExtractMostSignificantBits() & 0xF);
            withError |= Vector256.GreaterThan(w, Vector256<double>.Zero).ExtractMostSignificantBits();
        }
        (_s, _sx, _sy, _sxx, _sxy) = (Vector256.Sum(s), Vector256.Sum(sx), Vector256.Sum(sy), Vector256.Sum(sxx), Vector256.Sum(sxy));
        (_weightedPoints, _anyError) = (weightedPoints, withError != 0);
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
        // ROOT fits without weights when no point has an error > 0 (HFitInterface, kNoError).
        weighted &= _anyError;
        double s, sx, sy, sxx, sxy;
        int used;
        if (weighted)
        {
            (s, sx, sy, sxx, sxy, used) = (_s, _sx, _sy, _sxx, _sxy, _weightedPoints);
        }
        else
        {
            s = sx = sy = sxx = sxy = 0;
            used = n;
            double x0 = _x[0], y0 = _y[0];
            for (int i = 0; i < n; i++)
            {
                double dx = _x[i] - x0, dy = _y[i] - y0;
                s += 1; sx += dx; sy += dy; sxx += dx * dx; sxy += dx * dy;
            }
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
        double xMean = _x[0] + dxMean;
        // Locals, written to the out parameters at the end: the line feeds the chi2 straight from registers (through
        // the out parameters it went to memory and back, on the longest dependency chain of the fit).
        double slope = sxyc / sxxc;
        double intercept = _y[0] + dyMean - slope * xMean;
        double var1 = 1 / sxxc;
        double var0 = 1 / s + xMean * xMean / sxxc;
        double sum = Chi2(n, weighted, intercept, slope);
        if (!weighted)
        {
            // FitResult::NormalizeErrors skips chi2 <= 0, but Minuit's minimum is never exactly 0; scaling here
            // whenever ndf > 0 gives an exact line errors 0 (ROOT: minimiser noise) instead of unit-error values.
            int rootNdf = used - ParameterCount;
            if (rootNdf > 0)
            {
                double scale = sum / rootNdf;
                var1 *= scale;
                var0 *= scale;
            }
        }
        (p0, p1, chi2, e0, e1) = (intercept, slope, sum, Math.Sqrt(var0), Math.Sqrt(var1));
        bool finite = double.IsFinite(intercept) && double.IsFinite(slope) && double.IsFinite(var0) && double.IsFinite(var1);
        return finite && sxxc > 0 ? 0 : 1;
    }

    /// <summary>
    /// The chi2 of the line over the n selected points, from the residuals (a closed form from the sums cancels
    /// digits for a near-perfect line with large weights), four points at a time; the padding lanes add nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double Chi2(int n, bool weighted, double p0, double p1)
    {
        var vp0 = Vector256.Create(p0);
        var vp1 = Vector256.Create(p1);
        var count = Vector256.Create((double)n);
        var lane = Vector256.Create(0.0, 1, 2, 3);
        var sum = Vector256<double>.Zero;
        ref double xRef = ref MemoryMarshal.GetArrayDataReference(_x);
        ref double yRef = ref MemoryMarshal.GetArrayDataReference(_y);
        ref double wRef = ref MemoryMarshal.GetArrayDataReference(_w);
        for (int slot = 0; slot < n; slot += 4)
        {
            var w = weighted ? Vector256.LoadUnsafe(ref wRef, (nuint)slot) : Vector256<double>.One;
            var r = Vector256.LoadUnsafe(ref yRef, (nuint)slot) - vp0 - vp1 * Vector256.LoadUnsafe(ref xRef, (nuint)slot);
            var real = Vector256.LessThan(lane + Vector256.Create((double)slot), count);
            sum += Vector256.ConditionalSelect(real, w * r * r, Vector256<double>.Zero);
        }
        return Vector256.Sum(sum);
    }
}
