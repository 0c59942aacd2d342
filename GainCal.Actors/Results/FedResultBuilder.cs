using GainCal.Calibration;
using GainCal.Detector;

namespace GainCal.Results;

/// <summary>
/// Collects the fitted patterns of one FED into its per-pixel table: one row for every pixel of every
/// cabled ROC, so pixels that never answered (dead) keep status 0 like the reference's empty histogram bins.
/// </summary>
public sealed class FedResultBuilder
{
    public const int PixelsPerRoc = 80 * 52;

    private readonly PixelTable _table;
    private int _fitted;

    public FedResultBuilder(int fed, uint run, FedCalibrationSetup setup)
    {
        var cabling = setup.Cabling.ForFed(fed);
        _table = new PixelTable(run, cabling.Rocs.Count * PixelsPerRoc);
        var i = 0;
        foreach (var roc in cabling.Rocs)
        {
            for (var row = 0; row < 80; row++)
            {
                for (var col = 0; col < 52; col++, i++)
                {
                    var (moduleRow, moduleCol) = roc.ToModule(row, col);
                    _table.Fed[i] = (short)fed;
                    _table.Link[i] = (byte)roc.Link;
                    _table.Roc[i] = (byte)roc.Roc;
                    _table.RocRow[i] = (byte)row;
                    _table.RocCol[i] = (byte)col;
                    _table.DetId[i] = roc.DetId.Raw;
                    _table.ModuleRow[i] = (short)moduleRow;
                    _table.ModuleCol[i] = (short)moduleCol;
                }
            }
        }
    }

    public int PixelsFitted => _fitted;

    public void Add(PatternCurves curves, PatternFits fits)
    {
        if (curves.PixelCount != fits.PixelCount || curves.Pattern != fits.Pattern)
            throw new ArgumentException($"fits of pattern {fits.Pattern} ({fits.PixelCount} pixels) do not match curves of pattern {curves.Pattern} ({curves.PixelCount} pixels)");
        var t = _table;
        for (var k = 0; k < curves.PixelCount; k++)
        {
            var i = curves.RocIndex[k] * PixelsPerRoc + curves.RocRow[k] * 52 + curves.RocCol[k];
            ref readonly var f = ref fits.Fits[k];
            t.Status[i] = (sbyte)f.Status;
            t.Gain[i] = f.Gain;
            t.GainError[i] = f.GainError;
            t.Pedestal[i] = f.Pedestal;
            t.PedestalError[i] = f.PedestalError;
            t.Chi2Ndf[i] = f.Chi2Ndf;
            t.Probability[i] = f.Probability;
            t.Points[i] = (byte)Math.Min(f.Points, byte.MaxValue);
            t.Plateau[i] = f.Plateau;
            t.LowMean[i] = f.LowMean;
            t.HighMean[i] = f.HighMean;
            t.LowPoint[i] = f.LowPoint;
            t.HighPoint[i] = f.HighPoint;
        }
        _fitted += curves.PixelCount;
    }

    public PixelTable Build() => _table;
}
