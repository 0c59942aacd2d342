namespace GainCal.Calibration;

/// <summary>
/// The accumulated gain curves of every pixel hit in one completed calibration pattern of one FED:
/// per pixel its FED-local ROC index and ROC-local row/column, and per pixel and VCal point the
/// reference's SiPixelCalibDigi sums (8-bit entry count, 32-bit sum of ADC and of ADC squared),
/// flattened as [pixel * PointCount + point]. Arrays are never modified after construction.
/// </summary>
public sealed record PatternCurves(
    int Fed,
    int Pattern,
    int PointCount,
    short[] RocIndex,
    byte[] RocRow,
    byte[] RocCol,
    byte[] Entries,
    uint[] Sums,
    uint[] SumSquares)
{
    public int PixelCount => RocIndex.Length;
}

/// <summary>The fit of every pixel of a <see cref="PatternCurves"/>, in the same pixel order.</summary>
public sealed record PatternFits(
    int Fed,
    int Pattern,
    PixelFit[] Fits)
{
    public int PixelCount => Fits.Length;
}
