namespace GainCal.Calibration;

/// <summary>
/// VCal (low range) to electrons for one module: electrons = Slope * VCal + Offset (SiPixelVCal, domain.md 9.1).
/// </summary>
public readonly record struct VCalConversion(double Slope, double Offset)
{
    /// <summary>What doFits and SiPixelVCal use for a module missing from the table.</summary>
    public static VCalConversion Default => new(47, -60);
}
