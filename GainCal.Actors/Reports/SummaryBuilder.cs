using GainCal.Detector;
using GainCal.Results;

namespace GainCal.Reports;

/// <summary>
/// Accumulates per-pixel tables (one run table, or its FED tables one after the other: modules never span FEDs)
/// into a <see cref="RunSummary"/>. One pass over the columns, no per-pixel allocation.
/// </summary>
public sealed class SummaryBuilder
{
    private const int ColumnHalves = 416 * 2;

    private readonly uint _run;
    private readonly Dictionary<uint, ModuleAccumulator> _modules = [];
    private readonly MomentSums[] _partGain = new MomentSums[DetectorPart.Count];
    private readonly MomentSums[] _partPedestal = new MomentSums[DetectorPart.Count];
    private readonly Histogram[] _partGainHistogram = New(DetectorPart.Count, GainHistogram);
    private readonly Histogram[] _partPedestalHistogram = New(DetectorPart.Count, PedestalHistogram);
    private readonly MomentSums[] _gain = new MomentSums[2], _gainError = new MomentSums[2];
    private readonly MomentSums[] _pedestal = new MomentSums[2], _pedestalError = new MomentSums[2];
    private readonly MomentSums[] _fittedGain = new MomentSums[2], _fittedPedestal = new MomentSums[2];
    private readonly Histogram2D[][] _correlations = [Correlations(), Correlations()];
    private long _unknownStatus, _skipped, _outliers;

    public SummaryBuilder(uint run) => _run = run;

    /// <summary>Binning of the pixel-level distributions: the macro's TOT_Gain and TOT_Pedestal ranges.</summary>
    internal static Histogram GainHistogram() => new(200, 0, 400);
    internal static Histogram PedestalHistogram() => new(150, -50, 250);

    /// <summary>
    /// The macro's per-pixel correlations (CorrelationGainPed, ErrorVsGain, ErrorVsPedestal, CorrelationError) on its
    /// axis ranges (gain 0-400, error of the slope 0-0.0002, pedestal -50-250, pedestal error -1-1) at 100 bins per axis.
    /// </summary>
    internal static Histogram2D[] Correlations() =>
    [
        new("gain [e/ADC]", 100, 0, 8 * 50, "pedestal [ADC]", 100, -50, 250),
        new("gain [e/ADC]", 100, 0, 8 * 50, "error of the slope [ADC/e]", 100, 0, 0.01 / 50),
        new("pedestal [ADC]", 100, -50, 250, "error of the pedestal [ADC]", 100, -1, 1),
        new("error of the slope [ADC/e]", 100, 0, 0.01 / 50, "error of the pedestal [ADC]", 100, -1, 1),
    ];

    /// <summary>Names of <see cref="Correlations"/> in the macro.</summary>
    internal static readonly string[] CorrelationNames = ["CorrelationGainPed", "ErrorVsGain", "ErrorVsPedestal", "CorrelationError"];

    public static RunSummary Build(PixelTable table)
    {
        var builder = new SummaryBuilder(table.Run);
        builder.Add(table);
        return builder.Build();
    }

    public void Add(PixelTable t)
    {
        if (t.Run != _run) throw new InvalidOperationException($"table of run {t.Run} added to the summary of run {_run}");
        uint lastId = 0;
        ModuleAccumulator? m = null;
        for (var i = 0; i < t.RowCount; i++)
        {
            var id = t.DetId[i];
            if (m is null || id != lastId)
            {
                lastId = id;
                m = Module(id);
            }
            int row = t.ModuleRow[i], col = t.ModuleCol[i];
            if (m is null || (uint)row >= 160 || (uint)col >= 416)
            {
                _skipped++;
                continue;
            }
            var roc = col / 52 + 8 * (row / 80);
            m.Present++;
            m.RocPresent[roc]++;
            if (m.RocFed[roc] < 0)
            {
                m.RocFed[roc] = t.Fed[i];
                m.RocLink[roc] = t.Link[i];
                m.RocNumber[roc] = t.Roc[i];
            }
            int status = t.Status[i], abs = Math.Abs(status);
            if (abs >= RunSummary.StatusBins)
            {
                _unknownStatus++;
                m.Bad++;
                m.RocBad[roc]++;
                continue;
            }
            m.Status[abs]++;
            // GainNPoints1d: every pixel that reached the fit (not the early exits -2 and -7 with fewer than 2 points, not
            // absent), on its 0-20 axis (ROOT's mean leaves the overflow out).
            int points = t.Points[i];
            if (status != 0 && status != -2 && points >= 2 && points < 20)
            {
                m.FittedPoints += points;
                m.Fitted++;
            }
            if (status <= 0)
            {
                m.Bad++;
                m.RocBad[roc]++;
                continue;
            }
            double gain = t.Gain[i], pedestal = t.Pedestal[i];
            var sub = m.IsBPix ? 0 : 1;
            m.GoodStatus++;
            _fittedGain[sub].Add(gain);
            _fittedPedestal[sub].Add(pedestal);
            var high = Math.Abs(gain) > RunSummary.HighGainThreshold;
            if (high) m.HighGain++;
            if (GoodFit.OutsideLimits(t.Gain[i], t.Pedestal[i]))
            {
                _outliers++;
                continue;
            }
            double gainError = t.GainError[i], pedestalError = t.PedestalError[i];
            m.GoodFit++;
            m.Sums[Q.Gain] += gain;
            m.Sums[Q.Pedestal] += pedestal;
            m.Sums[Q.GainError] += gainError;
            m.Sums[Q.PedestalError] += pedestalError;
            m.Sums[Q.Saturation] += t.HighMean[i];
            m.Sums[Q.DynamicRange] += t.HighMean[i] - t.LowMean[i];
            m.Sums[Q.Status] += status;
            m.Sums[Q.Chi2Ndf] += t.Chi2Ndf[i];
            m.Sums[Q.Probability] += t.Probability[i];
            m.Sums[Q.LowPoint] += t.LowPoint[i];
            m.Sums[Q.HighPoint] += t.HighPoint[i];
            m.RocGood[roc]++;
            m.RocGain[roc] += gain;
            m.RocPedestal[roc] += pedestal;
            if (high) m.RocHigh[roc]++;
            // The macro switches to the upper half when the 1-based row bin is 80, so row 79 already counts as upper.
            var half = col * 2 + (row >= 79 ? 1 : 0);
            m.ColumnCount[half]++;
            m.ColumnGain[half] += gain;
            m.ColumnPedestal[half] += pedestal;
            _gain[sub].Add(gain);
            _gainError[sub].Add(gainError);
            _pedestal[sub].Add(pedestal);
            _pedestalError[sub].Add(pedestalError);
            _partGain[m.Part].Add(gain);
            _partPedestal[m.Part].Add(pedestal);
            _partGainHistogram[m.Part].Fill(gain);
            _partPedestalHistogram[m.Part].Fill(pedestal);
            var correlations = _correlations[sub];
            correlations[0].Fill(gain, pedestal);
            correlations[1].Fill(gain, gainError);
            correlations[2].Fill(pedestal, pedestalError);
            correlations[3].Fill(gainError, pedestalError);
        }
    }

    public RunSummary Build()
    {
        var columnGain = New(2, GainHistogram);
        var columnPedestal = New(2, PedestalHistogram);
        var rocGain = New(2, GainHistogram);
        var rocPedestal = New(2, PedestalHistogram);
        var status = new long[RunSummary.StatusBins];
        var partModules = new int[DetectorPart.Count];
        var partBad = new long[DetectorPart.Count];
        var partGood = new long[DetectorPart.Count];
        var partStatus = Enumerable.Range(0, DetectorPart.Count).Select(_ => new long[RunSummary.StatusBins]).ToArray();
        long bpixPixels = 0, fpixPixels = 0, bpixGood = 0, fpixGood = 0, highPixels = 0, highColumns = 0, highRocs = 0;
        var modules = new List<ModuleSummary>();
        var rocs = new List<RocSummary>();
        foreach (var id in DetId.AllModules)
        {
            if (!_modules.TryGetValue(id.Raw, out var m)) continue;
            var sub = m.IsBPix ? 0 : 1;
            var missing = RunSummary.PixelsPerModule - m.Present;
            var bad = m.Bad + missing;
            for (var s = 0; s < RunSummary.StatusBins; s++) partStatus[m.Part][s] += m.Status[s];
            partStatus[m.Part][0] += missing;
            partModules[m.Part]++;
            partBad[m.Part] += bad;
            partGood[m.Part] += m.GoodFit;
            if (m.IsBPix) { bpixPixels += RunSummary.PixelsPerModule; bpixGood += m.GoodFit; }
            else { fpixPixels += RunSummary.PixelsPerModule; fpixGood += m.GoodFit; }
            highPixels += m.HighGain;
            for (var h = 0; h < ColumnHalves; h++)
            {
                if (m.ColumnCount[h] == 0) continue;
                var g = m.ColumnGain[h] / m.ColumnCount[h];
                if (g > RunSummary.HighGainThreshold) highColumns++;
                columnGain[sub].Fill(g);
                columnPedestal[sub].Fill(m.ColumnPedestal[h] / m.ColumnCount[h]);
            }
            var name = id.ModuleName;
            for (var r = 0; r < 16; r++)
            {
                var rocBad = m.RocBad[r] + RunSummary.PixelsPerRoc - m.RocPresent[r];
                double meanGain = double.NaN, meanPedestal = double.NaN;
                if (m.RocGood[r] > 0)
                {
                    meanGain = m.RocGain[r] / m.RocGood[r];
                    meanPedestal = m.RocPedestal[r] / m.RocGood[r];
                    // The macro skips ROCs whose mean gain is exactly 0 (its test for "no good pixel").
                    if (meanGain != 0)
                    {
                        if (meanGain > RunSummary.HighGainThreshold) highRocs++;
                        rocGain[sub].Fill(meanGain);
                        rocPedestal[sub].Fill(meanPedestal);
                    }
                }
                if (rocBad > 0 || m.RocHigh[r] > 5)
                    rocs.Add(new RocSummary(id.Raw, name, r, m.RocFed[r], m.RocLink[r], m.RocNumber[r], m.RocPresent[r], rocBad,
                        m.RocHigh[r], m.RocGood[r], meanGain, meanPedestal));
            }
            double Mean(int q) => m.GoodFit == 0 ? double.NaN : m.Sums[q] / m.GoodFit;
            modules.Add(new ModuleSummary(id.Raw, name, m.Part, m.Present, bad, m.GoodStatus, m.GoodFit, m.HighGain,
                Mean(Q.Gain), Mean(Q.Pedestal), Mean(Q.GainError), Mean(Q.PedestalError), Mean(Q.Saturation), Mean(Q.DynamicRange),
                Mean(Q.Status), Mean(Q.Chi2Ndf), Mean(Q.Probability), Mean(Q.LowPoint), Mean(Q.HighPoint),
                m.Fitted == 0 ? double.NaN : (double)m.FittedPoints / m.Fitted));
        }
        foreach (var p in partStatus)
            for (var s = 0; s < RunSummary.StatusBins; s++) status[s] += p[s];
        rocs.Sort((a, b) => b.BadFits != a.BadFits ? b.BadFits.CompareTo(a.BadFits) : b.HighGain.CompareTo(a.HighGain));
        var parts = Enumerable.Range(0, DetectorPart.Count).Select(p => new PartSummary
        {
            Part = p,
            Name = DetectorPart.Name(p),
            Modules = partModules[p],
            Pixels = (long)partModules[p] * RunSummary.PixelsPerModule,
            StatusCounts = partStatus[p],
            BadFits = partBad[p],
            GoodFitPixels = partGood[p],
            Gain = _partGain[p].ToMoments(),
            Pedestal = _partPedestal[p].ToMoments(),
            GainHistogram = _partGainHistogram[p],
            PedestalHistogram = _partPedestalHistogram[p],
        }).ToList();
        return new RunSummary
        {
            Run = _run,
            Modules = modules.Count,
            Pixels = bpixPixels + fpixPixels,
            BPixPixels = bpixPixels,
            FPixPixels = fpixPixels,
            GoodFitPixels = bpixGood + fpixGood,
            BPixGoodFitPixels = bpixGood,
            FPixGoodFitPixels = fpixGood,
            StatusCounts = status,
            UnknownStatusPixels = _unknownStatus,
            SkippedRows = _skipped,
            OutlierPixels = _outliers,
            HighGainPixels = highPixels,
            HighGainColumns = highColumns,
            HighGainRocs = highRocs,
            Gain = _gain.Select(s => s.ToMoments()).ToArray(),
            GainError = _gainError.Select(s => s.ToMoments()).ToArray(),
            Pedestal = _pedestal.Select(s => s.ToMoments()).ToArray(),
            PedestalError = _pedestalError.Select(s => s.ToMoments()).ToArray(),
            FittedGain = _fittedGain.Select(s => s.ToMoments()).ToArray(),
            FittedPedestal = _fittedPedestal.Select(s => s.ToMoments()).ToArray(),
            Parts = parts,
            ModuleList = modules,
            Rocs = rocs,
            ColumnGain = columnGain,
            ColumnPedestal = columnPedestal,
            RocGain = rocGain,
            RocPedestal = rocPedestal,
            Correlations = _correlations,
        };
    }

    private ModuleAccumulator? Module(uint raw)
    {
        if (_modules.TryGetValue(raw, out var m)) return m;
        var part = DetectorPart.Of(new DetId(raw));
        if (part < 0) return null;
        m = new ModuleAccumulator(part);
        _modules.Add(raw, m);
        return m;
    }

    private static Histogram[] New(int n, Func<Histogram> make) => Enumerable.Range(0, n).Select(_ => make()).ToArray();

    /// <summary>Indexes of the per-module means over good fits (the macro's MGain2d ... MGainLowPoint2d).</summary>
    private static class Q
    {
        public const int Gain = 0, Pedestal = 1, GainError = 2, PedestalError = 3, Saturation = 4, DynamicRange = 5, Status = 6,
            Chi2Ndf = 7, Probability = 8, LowPoint = 9, HighPoint = 10, Count = 11;
    }

    private sealed class ModuleAccumulator(int part)
    {
        public readonly int Part = part;
        public readonly bool IsBPix = DetectorPart.IsBPix(part);
        public int Present, Bad, GoodStatus, GoodFit, HighGain, Fitted;
        public long FittedPoints;
        public readonly int[] Status = new int[RunSummary.StatusBins];
        public readonly double[] Sums = new double[Q.Count];
        public readonly int[] RocPresent = new int[16], RocBad = new int[16], RocGood = new int[16], RocHigh = new int[16];
        public readonly int[] RocFed = Enumerable.Repeat(-1, 16).ToArray(), RocLink = Enumerable.Repeat(-1, 16).ToArray(),
            RocNumber = Enumerable.Repeat(-1, 16).ToArray();
        public readonly double[] RocGain = new double[16], RocPedestal = new double[16];
        public readonly int[] ColumnCount = new int[ColumnHalves];
        public readonly double[] ColumnGain = new double[ColumnHalves], ColumnPedestal = new double[ColumnHalves];
    }
}
