using GainCal.Calibration;
using GainCal.Detector;

namespace GainCal.Results;

/// <summary>
/// Collects the fitted patterns of one FED into its per-pixel table. Like the reference's ROOT file,
/// which books a module's maps when its first digi arrives, the table holds every pixel of every
/// module that had at least one fitted pixel: pixels of such a module that never answered (dead
/// pixels, dead ROCs) keep status 0 and zero values, as the reference's empty histogram bins do.
/// </summary>
public sealed class FedResultBuilder
{
    public const int PixelsPerRoc = 80 * 52;

    private readonly uint _run;
    private readonly FedCabling _cabling;
    private readonly PixelTable _all;
    private readonly HashSet<DetId> _modulesSeen = [];
    private int _fitted;

    public FedResultBuilder(int fed, uint run, FedCalibrationSetup setup)
    {
        _run = run;
        _cabling = setup.Cabling.ForFed(fed);
        _all = new PixelTable(run, _cabling.Rocs.Count * PixelsPerRoc);
    }

    public int PixelsFitted => _fitted;

    public void Add(PatternCurves curves, PatternFits fits)
    {
        if (curves.Fed != _cabling.Fed)
            throw new ArgumentException($"pattern {curves.Pattern} of FED {curves.Fed} cannot go into the table of FED {_cabling.Fed}");
        if (curves.PixelCount != fits.PixelCount || curves.Pattern != fits.Pattern)
            throw new ArgumentException($"fits of pattern {fits.Pattern} ({fits.PixelCount} pixels) do not match curves of pattern {curves.Pattern} ({curves.PixelCount} pixels)");
        var t = _all;
        var lastRoc = -1;
        for (var k = 0; k < curves.PixelCount; k++)
        {
            var roc = curves.RocIndex[k];
            if (roc != lastRoc)
            {
                _modulesSeen.Add(_cabling.Rocs[roc].DetId);
                lastRoc = roc;
            }
            var i = roc * PixelsPerRoc + curves.RocRow[k] * 52 + curves.RocCol[k];
            ref readonly var f = ref fits.Fits[k];
            t.Status[i] = (sbyte)f.Status;
            t.Plateau[i] = f.Plateau;
            if (IsEarlyExit(f))
                continue; // the reference writes only the status of these pixels; every other map keeps 0
            t.Gain[i] = f.Gain;
            t.GainError[i] = f.GainError;
            t.Pedestal[i] = f.Pedestal;
            t.PedestalError[i] = f.PedestalError;
            t.Chi2Ndf[i] = f.Chi2Ndf;
            t.Probability[i] = f.Probability;
            t.Points[i] = (byte)Math.Min(f.Points, byte.MaxValue);
            t.LowMean[i] = f.LowMean;
            t.HighMean[i] = f.HighMean;
            t.LowPoint[i] = f.LowPoint;
            t.HighPoint[i] = f.HighPoint;
        }
        _fitted += curves.PixelCount;
    }

    /// <summary>doFits returns before fitting: too many plateau points (-2), or fewer than two points selected (-7).</summary>
    private static bool IsEarlyExit(in PixelFit f) =>
        f.Status == FitStatus.TooManyPlateauPoints || (f.Status == FitStatus.TooFewPoints && f.Points < 2);

    /// <summary>The table of the modules seen, rows in (link, ROC, row, column) order. Called once, after the last
    /// <see cref="Add"/>: when every module was seen (the usual FED) the table filled so far is the result, not a copy.</summary>
    public PixelTable Build()
    {
        var rocs = Enumerable.Range(0, _cabling.Rocs.Count).Where(r => _modulesSeen.Contains(_cabling.Rocs[r].DetId)).ToList();
        var whole = rocs.Count == _cabling.Rocs.Count;
        var t = whole ? _all : new PixelTable(_run, rocs.Count * PixelsPerRoc);
        var at = 0;
        foreach (var r in rocs)
        {
            var roc = _cabling.Rocs[r];
            var from = r * PixelsPerRoc;
            if (!whole) _all.CopyRange(from, t, at, PixelsPerRoc);
            for (var row = 0; row < 80; row++)
            {
                for (var col = 0; col < 52; col++, at++)
                {
                    var (moduleRow, moduleCol) = roc.ToModule(row, col);
                    t.Fed[at] = (short)_cabling.Fed;
                    t.Link[at] = (byte)roc.Link;
                    t.Roc[at] = (byte)roc.Roc;
                    t.RocRow[at] = (byte)row;
                    t.RocCol[at] = (byte)col;
                    t.DetId[at] = roc.DetId.Raw;
                    t.ModuleRow[at] = (short)moduleRow;
                    t.ModuleCol[at] = (short)moduleCol;
                }
            }
        }
        return t;
    }
}
