namespace GainCal.Calibration;

/// <summary>
/// GainFitResult2d values of doFits (domain.md 5.6). A pixel is good for downstream use when the value is &gt; 0.
/// </summary>
public enum FitStatus : sbyte
{
    /// <summary>Not fitted, or the minimisation did not converge.</summary>
    NoStatus = 0,
    Ok = 1,
    /// <summary>Early exit: nearly every point sits on the plateau (or is zero); nothing fitted.</summary>
    TooManyPlateauPoints = -2,
    /// <summary>The last four points do not agree within 5 ADC.</summary>
    NoPlateau = 3,
    /// <summary>Probability below the threshold (never with the production threshold 0).</summary>
    LowProbability = 4,
    /// <summary>chi2/ndf above the threshold (500 in production).</summary>
    HighChi2 = 5,
    /// <summary>Slope or pedestal is NaN even after the unweighted refits.</summary>
    NotANumber = -6,
    /// <summary>Fewer than two points to fit (early exit), or fewer than four VCal points in total.</summary>
    TooFewPoints = -7,
    /// <summary>|gain| above the maximum, a negative gain, or a flat fit (slope 0, gain reported as 0).</summary>
    GainOutOfRange = -8,
}

public static class FitStatusText
{
    /// <summary>Summary.txt wording of the reference, indexed by |status|.</summary>
    public static string Describe(FitStatus status, FitSettings settings) => Math.Abs((int)status) switch
    {
        0 => "no status",
        1 => "fit result OK",
        2 => "too many plateau points",
        3 => "no plateau",
        4 => "p-value<" + settings.ProbabilityThreshold.ToString("G6", System.Globalization.CultureInfo.InvariantCulture),
        5 => "chi2>" + settings.Chi2NdfThreshold.ToString("F1", System.Globalization.CultureInfo.InvariantCulture),
        6 => "slope or pedestal is NaN",
        7 => "nallpoints<4 or npoints<2",
        8 => "|slope|>" + settings.MaxGain.ToString("F1", System.Globalization.CultureInfo.InvariantCulture) + " or slope < 0",
        _ => "unknown",
    };
}
