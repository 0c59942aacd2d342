using MessagePack;

namespace GainCal.Calibration;

/// <summary>
/// Result of doFits for one pixel. Gain is in electrons per ADC (1/slope), Pedestal in ADC,
/// GainError is the error of the slope (ADC per electron, not propagated to the gain), as the reference stores.
/// For the early exits (TooManyPlateauPoints, and TooFewPoints with fewer than two selected points) the reference
/// records only the status: Gain, Pedestal, errors, Chi2Ndf, Probability, LowPoint and HighPoint stay 0 here;
/// Plateau, LowMean, HighMean and Points are filled for diagnostics.
/// </summary>
[MessagePackObject]
public struct PixelFit
{
    [Key(0)] public FitStatus Status;
    [Key(1)] public float Gain;
    [Key(2)] public float Pedestal;
    [Key(3)] public float GainError;
    [Key(4)] public float PedestalError;
    [Key(5)] public float Chi2Ndf;
    [Key(6)] public float Probability;
    /// <summary>Number of selected points (the reference's npoints; ndf = Points - 2).</summary>
    [Key(7)] public int Points;
    /// <summary>Plateau ADC from the last four points (255 when there is no plateau).</summary>
    [Key(8)] public float Plateau;
    /// <summary>Lowest mean ADC over points with enough entries (255 if none).</summary>
    [Key(9)] public float LowMean;
    /// <summary>Highest mean ADC over points with enough entries (0 if none); GainSaturate2d.</summary>
    [Key(10)] public float HighMean;
    /// <summary>Electrons of the first selected point.</summary>
    [Key(11)] public float LowPoint;
    /// <summary>Electrons of the last selected point.</summary>
    [Key(12)] public float HighPoint;

    [IgnoreMember] public readonly bool IsGood => Status > 0;
    [IgnoreMember] public readonly float DynamicRange => HighMean - LowMean;
}
