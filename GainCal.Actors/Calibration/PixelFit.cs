namespace GainCal.Calibration;

/// <summary>
/// Result of doFits for one pixel. Gain is in electrons per ADC (1/slope), Pedestal in ADC,
/// GainError is the error of the slope (ADC per electron, not propagated to the gain), as the reference stores.
/// For the early exits (TooManyPlateauPoints, and TooFewPoints with fewer than two selected points) the reference
/// records only the status: Gain, Pedestal, errors, Chi2Ndf, Probability, LowPoint and HighPoint stay 0 here;
/// Plateau, LowMean, HighMean and Points are filled for diagnostics.
/// </summary>
public struct PixelFit
{
    public FitStatus Status;
    public float Gain;
    public float Pedestal;
    public float GainError;
    public float PedestalError;
    public float Chi2Ndf;
    public float Probability;
    /// <summary>Number of selected points (the reference's npoints; ndf = Points - 2).</summary>
    public int Points;
    /// <summary>Plateau ADC from the last four points (255 when there is no plateau).</summary>
    public float Plateau;
    /// <summary>Lowest mean ADC over points with enough entries (255 if none).</summary>
    public float LowMean;
    /// <summary>Highest mean ADC over points with enough entries (0 if none); GainSaturate2d.</summary>
    public float HighMean;
    /// <summary>Electrons of the first selected point.</summary>
    public float LowPoint;
    /// <summary>Electrons of the last selected point.</summary>
    public float HighPoint;

    public readonly bool IsGood => Status > 0;
    public readonly float DynamicRange => HighMean - LowMean;
}
