namespace GainCal.Results;

/// <summary>
/// The one meaning of "good fit" that merge, summary, payload and compare count: the fit succeeded (status &gt; 0)
/// and the result is within the summary macro's limits (make_ComparisonPlots.cc, header.h: |gain| &lt;= gain_max,
/// |pedestal| &lt;= ped_max). Pixels with status &gt; 0 outside the limits are the macro's nPixHigherMax.
/// </summary>
public static class GoodFit
{
    /// <summary>gain_max of header.h (20 x 50 electrons per ADC since the VCal-to-electron conversion).</summary>
    public const double GainMax = 20 * 50;
    /// <summary>ped_max of header.h.</summary>
    public const double PedestalMax = 250;

    /// <summary>The limits in words, for texts that state what they count.</summary>
    public const string Definition = "status > 0, |gain| <= 1000 e/ADC, |pedestal| <= 250 ADC";

    /// <summary>Values compared as the table stores them (float), so every counter agrees bit for bit.</summary>
    public static bool Is(int status, float gain, float pedestal) => status > 0 && !OutsideLimits(gain, pedestal);

    /// <summary>A fitted pixel's values beyond the limits (the macro compares fabs(x) &gt; limit, so NaN is inside).</summary>
    public static bool OutsideLimits(float gain, float pedestal) => Math.Abs(gain) > GainMax || Math.Abs(pedestal) > PedestalMax;
}
