using GainCal.Results;
using GainCal.Detector;

namespace GainCal.Reports;

/// <summary>
/// One per-module quantity of the summary, drawn as the macro's SUB_ (per layer/disk/ring), SUM_ (per module) and MAP_
/// (per module on the detector map) plots.
/// </summary>
/// <param name="Name">The macro's name (file names SUB_&lt;Name&gt;_whole, SUM_&lt;Name&gt;_whole, MAP_&lt;Name&gt;_...).</param>
/// <param name="Title">What one module's value is, in words.</param>
/// <param name="Axis">Axis label with unit.</param>
/// <param name="MinimumSpan">The narrowest colour range worth showing, given the median of the modules: a spread below it is noise.</param>
public sealed record SummaryQuantity(string Name, string Title, string Axis, Func<ModuleSummary, double> Value, Func<double, double> MinimumSpan);

/// <summary>The 13 quantities of gain_summary_template.tex in its order, then the fraction of bad fits (the macro's MAP_frac_bad_fit).</summary>
public static class SummaryQuantities
{
    public static IReadOnlyList<SummaryQuantity> All { get; } =
    [
        new("Gain", "mean gain", "gain [e/ADC]", m => m.MeanGain, median => Math.Max(10, 0.05 * Math.Abs(median))),
        new("Pedestal", "mean pedestal", "pedestal [ADC]", m => m.MeanPedestal, _ => 5),
        new("ErrorGain", "mean error of the slope 1/gain", "error of the slope [ADC/e]", m => m.MeanGainError, median => 0.2 * Math.Abs(median)),
        new("ErrorPedestal", "mean error of the pedestal", "error of the pedestal [ADC]", m => m.MeanPedestalError, median => 0.2 * Math.Abs(median)),
        new("frac_gain_high", $"fraction of pixels with gain > {RunSummary.HighGainThreshold}", "fraction of status > 0 pixels", m => m.FractionHighGain, _ => 0.01),
        new("GainSaturate", "mean saturation (highest point mean ADC)", "highest mean ADC", m => m.MeanSaturation, _ => 5),
        new("GainDynamicRange", "mean dynamic range (highest - lowest point mean ADC)", "dynamic range [ADC]", m => m.MeanDynamicRange, _ => 5),
        new("GainLowPoint", "mean lowest fitted point", "charge [e]", m => m.MeanLowPoint, _ => 300),
        new("GainHighPoint", "mean highest fitted point", "charge [e]", m => m.MeanHighPoint, _ => 1000),
        new("GainNPoints", "mean number of fitted points", "points", m => m.MeanPoints, _ => 1),
        new("GainChi2NDF", "mean chi2/ndf", "chi2/ndf", m => m.MeanChi2Ndf, _ => 0.5),
        new("GainChi2Prob", "mean chi2 probability", "probability", m => m.MeanProbability, _ => 0.1),
        new("GainFitResult", "mean fit status of good fits", "status", m => m.MeanStatus, _ => 0.5),
        new("frac_bad_fit", "fraction of bad fits", "fraction of the module's pixels", m => m.FractionBadFit, _ => 0.01),
    ];
}

/// <summary>
/// The groups of the SUB_ plots for Phase-1 (the macro's 3 layers and 4 disks grown to Phase-1): BPix layers 1-4, then
/// FPix disks -3..-1 and +1..+3, each split by ring. Index order: L1..L4, D-3 R1, D-3 R2, ..., D+3 R2.
/// </summary>
public static class Subdetectors
{
    public const int Count = 4 + 2 * DetId.FPixDisks * 2;

    public static int Of(DetId id)
    {
        if (!id.IsPhase1Module) return -1;
        if (id.IsBPix) return id.Layer - 1;
        var disk = id.Side == 1 ? DetId.FPixDisks - id.Disk : DetId.FPixDisks + id.Disk - 1;
        return 4 + 2 * disk + id.Ring - 1;
    }

    public static string Name(int group)
    {
        if (group < 4) return $"L{group + 1}";
        var disk = (group - 4) / 2;
        var signed = disk < DetId.FPixDisks ? disk - DetId.FPixDisks : disk - DetId.FPixDisks + 1;
        return $"D{signed:+0;-0} R{(group - 4) % 2 + 1}";
    }

    /// <summary>
    /// Mean and RMS over the modules of each group of their per-module value (the macro's m_whole TMean of module means,
    /// error bar its RMS). Modules without a value (no good fit: NaN) are left out; the macro would add a 0 for them.
    /// </summary>
    public static IReadOnlyList<(string Name, Moments Value)> Means(IEnumerable<ModuleSummary> modules, Func<ModuleSummary, double> value)
    {
        var sums = new MomentSums[Count];
        foreach (var m in modules)
        {
            var group = Of(new DetId(m.DetId));
            var v = value(m);
            if (group >= 0 && double.IsFinite(v)) sums[group].Add(v);
        }
        return Enumerable.Range(0, Count).Select(g => (Name(g), sums[g].ToMoments())).ToList();
    }
}

/// <summary>A colour or axis range chosen from the data's percentiles, widened to a minimum span around the median.</summary>
public readonly record struct RobustRange(double Low, double High, double LowPercentile, double HighPercentile, bool Widened)
{
    /// <summary>The p-th and (100-p)-th percentiles (linear interpolation) of the finite values, widened symmetrically
    /// about the median to at least <paramref name="minimumSpan"/>; null when no value is finite.</summary>
    public static RobustRange? Of(IEnumerable<double> values, double percentile, Func<double, double> minimumSpan)
    {
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0) return null;
        double low = Percentile(sorted, percentile), high = Percentile(sorted, 100 - percentile), median = Percentile(sorted, 50);
        var span = minimumSpan(median);
        if (!(span > 0)) span = Math.Max(1e-12, Math.Abs(median) * 1e-3);
        if (high - low >= span) return new RobustRange(low, high, percentile, 100 - percentile, false);
        var centre = Math.Clamp(median, low, high);
        return new RobustRange(centre - span / 2, centre + span / 2, percentile, 100 - percentile, true);
    }

    public static double Percentile(double[] sorted, double p)
    {
        var rank = p / 100 * (sorted.Length - 1);
        var below = (int)Math.Floor(rank);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
    }
}
