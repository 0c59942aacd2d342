using GainCal.Detector;

namespace GainCal.Calibration;

/// <summary>Fits every pixel of a completed pattern. Holds scratch buffers: one per worker thread.</summary>
public sealed class PatternFitter
{
    private readonly FedCalibrationSetup _setup;
    private readonly GainFitter _fitter;
    private readonly Dictionary<int, VCalConversion[]> _vcalPerRoc = [];

    public PatternFitter(FedCalibrationSetup setup)
    {
        _setup = setup;
        _fitter = new GainFitter(setup.Pattern, setup.Fit);
    }

    /// <param name="into">An array of <see cref="PatternCurves.PixelCount"/> fits to fill (one the caller no longer
    /// reads), instead of a new one.</param>
    public PatternFits Fit(PatternCurves curves, PixelFit[]? into = null)
    {
        var vcal = VCalOfRocs(curves.Fed);
        var points = curves.PointCount;
        var fits = into is not null && into.Length == curves.PixelCount ? into : new PixelFit[curves.PixelCount];
        for (var k = 0; k < fits.Length; k++)
        {
            var at = k * points;
            fits[k] = _fitter.Fit(curves.Entries.AsSpan(at, points), curves.Sums.AsSpan(at, points),
                curves.SumSquares.AsSpan(at, points), vcal[curves.RocIndex[k]]);
        }
        return new PatternFits(curves.Fed, curves.Pattern, fits);
    }

    /// <summary>The VCal-to-electrons conversion of each ROC's module, looked up once per FED.</summary>
    private VCalConversion[] VCalOfRocs(int fed)
    {
        if (_vcalPerRoc.TryGetValue(fed, out var known)) return known;
        var rocs = _setup.Cabling.ForFed(fed).Rocs;
        var table = rocs.Select(r => _setup.VCal.For(r.DetId.Raw)).ToArray();
        _vcalPerRoc[fed] = table;
        return table;
    }
}
