namespace GainCal.Calibration;

/// <summary>
/// Options of SiPixelGainCalibrationAnalysis that change the per-pixel fit (domain.md 5.1).
/// Names follow the reference's parameters; <see cref="Production"/> is what gain_calib_cfg.py runs with.
/// </summary>
/// <param name="SuppressPointsWithOneEntryOrLess">true: a point needs more than one entry (min_nentries = 1).</param>
/// <param name="RejectVCalZero">Skip points whose electron value is below that of VCal 0.1.</param>
/// <param name="PlateauFraction">suppressZeroAndPlateausInFitFrac: points above plateau*(1-frac) are not fitted.</param>
/// <param name="SuppressPlateauInFit">Stop selecting at the first point that has reached the plateau.</param>
/// <param name="Chi2NdfThreshold">minChi2NDFforHistSave: chi2/ndf above it gives status 5 (negative disables).</param>
/// <param name="ProbabilityThreshold">minChi2ProbforHistSave: probability below it gives status 4.</param>
/// <param name="MaxGain">maxGainInHist: |gain| above it (or a negative gain) gives status -8.</param>
/// <param name="UseVCalHigh">useVCALHIGH: VCal values are high-range DAC values.</param>
/// <param name="VCalHighToLow">vcalHighToLowConversionFac.</param>
public sealed record FitSettings(
    bool SuppressPointsWithOneEntryOrLess = true,
    bool RejectVCalZero = true,
    double PlateauFraction = 0.2,
    bool SuppressPlateauInFit = true,
    double Chi2NdfThreshold = 500.0,
    double ProbabilityThreshold = 0.0,
    double MaxGain = 25.0 * 50,
    bool UseVCalHigh = true,
    double VCalHighToLow = 6.5)
{
    public static FitSettings Production { get; } = new();
}
