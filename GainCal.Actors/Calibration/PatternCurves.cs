using MessagePack;

namespace GainCal.Calibration;

/// <summary>
/// The accumulated gain curves of every pixel hit in one completed calibration pattern of one FED:
/// per pixel its FED-local ROC index and ROC-local row/column, and per pixel and VCal point the
/// reference's SiPixelCalibDigi sums (8-bit entry count, 32-bit sum of ADC and of ADC squared),
/// flattened as [pixel * PointCount + point]. Arrays are never modified after construction.
/// </summary>
[MessagePackObject]
public sealed record PatternCurves(
    [property: Key(0)] int Fed,
    [property: Key(1)] int Pattern,
    [property: Key(2)] int PointCount,
    [property: Key(3)] short[] RocIndex,
    [property: Key(4)] byte[] RocRow,
    [property: Key(5)] byte[] RocCol,
    [property: Key(6)] byte[] Entries,
    [property: Key(7)] uint[] Sums,
    [property: Key(8)] uint[] SumSquares)
{
    [IgnoreMember] public int PixelCount => RocIndex.Length;
}

/// <summary>The fit of every pixel of a <see cref="PatternCurves"/>, in the same pixel order.</summary>
[MessagePackObject]
public sealed record PatternFits(
    [property: Key(0)] int Fed,
    [property: Key(1)] int Pattern,
    [property: Key(2)] PixelFit[] Fits)
{
    [IgnoreMember] public int PixelCount => Fits.Length;
}
