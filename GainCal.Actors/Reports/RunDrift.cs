using System.Globalization;

namespace GainCal.Reports;

/// <summary>How far a run may move from its reference calibration before the summary lists it.</summary>
/// <param name="Gain">Relative change of a mean gain (0.03 = 3 %).</param>
/// <param name="Pedestal">Change of a mean pedestal, ADC.</param>
/// <param name="BadFitFraction">Change of the fraction of bad fits (status &lt;= 0 or absent), absolute (0.005 = 0.5 % of the pixels).</param>
public sealed record DriftThresholds(double Gain = 0.03, double Pedestal = 2.0, double BadFitFraction = 0.005)
{
    public static DriftThresholds Default { get; } = new();
}

/// <summary>One module or one SUB_ group: the change since the reference (relative for gain), and whether it is beyond a threshold.</summary>
public sealed record Drift(string Name, int Modules, double Gain, double Pedestal, double BadFitFraction, bool GainBeyond, bool PedestalBeyond, bool BadFitBeyond)
{
    public bool Beyond => GainBeyond || PedestalBeyond || BadFitBeyond;
}

/// <summary>A run compared with a reference calibration, module by module, from the two summaries alone.</summary>
public sealed record RunDrift(uint Run, uint ReferenceRun, DriftThresholds Thresholds, int CommonModules, IReadOnlyList<Drift> Groups,
    IReadOnlyList<Drift> Modules, IReadOnlyList<string> Lines);

/// <summary>
/// Drift of a calibration against a reference: for each module present in both, the relative change of its mean gain,
/// the change of its mean pedestal (both over good fits) and of its bad-fit fraction; for each SUB_ group (layer, disk
/// and ring) the same over its common modules, gain as mean(module gains now) / mean(module gains then) - 1.
/// </summary>
public static class DriftCheck
{
    public static RunDrift Compare(RunSummary run, RunSummary reference, DriftThresholds? thresholds = null)
    {
        var t = thresholds ?? DriftThresholds.Default;
        var before = reference.ModuleList.ToDictionary(m => m.DetId);
        var modules = new List<Drift>();
        var groups = new (MomentSums Now, MomentSums Then, MomentSums Pedestal, long BadNow, long BadThen, int Modules)[Subdetectors.Count];
        foreach (var m in run.ModuleList)
        {
            if (!before.TryGetValue(m.DetId, out var r)) continue;
            double gain = m.MeanGain / r.MeanGain - 1, pedestal = m.MeanPedestal - r.MeanPedestal, bad = m.FractionBadFit - r.FractionBadFit;
            modules.Add(Judge(m.Name, 1, gain, pedestal, bad, t));
            var g = Subdetectors.Of(new Detector.DetId(m.DetId));
            if (g < 0) continue;
            ref var x = ref groups[g];
            x.Modules++;
            x.BadNow += m.BadFits;
            x.BadThen += r.BadFits;
            if (double.IsFinite(m.MeanGain) && double.IsFinite(r.MeanGain)) { x.Now.Add(m.MeanGain); x.Then.Add(r.MeanGain); }
            if (double.IsFinite(pedestal)) x.Pedestal.Add(pedestal);
        }
        var parts = new List<Drift>();
        for (var g = 0; g < groups.Length; g++)
        {
            var x = groups[g];
            if (x.Modules == 0) continue;
            var pixels = (double)x.Modules * RunSummary.PixelsPerModule;
            parts.Add(Judge(Subdetectors.Name(g), x.Modules, x.Now.Mean / x.Then.Mean - 1, x.Pedestal.Mean, (x.BadNow - x.BadThen) / pixels, t));
        }
        return new RunDrift(run.Run, reference.Run, t, modules.Count, parts, modules, Lines(run.Run, reference.Run, parts, modules, t));
    }

    private static Drift Judge(string name, int modules, double gain, double pedestal, double bad, DriftThresholds t) =>
        new(name, modules, gain, pedestal, bad, Math.Abs(gain) > t.Gain, Math.Abs(pedestal) > t.Pedestal, Math.Abs(bad) > t.BadFitFraction);

    private static List<string> Lines(uint run, uint reference, IReadOnlyList<Drift> parts, IReadOnlyList<Drift> modules, DriftThresholds t)
    {
        var i = CultureInfo.InvariantCulture;
        var lines = new List<string>();
        foreach (var p in parts.Where(p => p.Beyond))
        {
            var what = new List<string>();
            if (p.GainBeyond) what.Add(string.Create(i, $"gain {100 * p.Gain:+0.0;-0.0} %"));
            if (p.PedestalBeyond) what.Add(string.Create(i, $"pedestal {p.Pedestal:+0.00;-0.00} ADC"));
            if (p.BadFitBeyond) what.Add(string.Create(i, $"bad fits {100 * p.BadFitFraction:+0.00;-0.00} % of pixels"));
            lines.Add($"{p.Name}: {string.Join(", ", what)} since run {reference}");
        }
        var flagged = modules.Count(m => m.Beyond);
        if (lines.Count == 0)
            lines.Add(string.Create(i, $"No layer or disk/ring moved beyond gain {100 * t.Gain:0.##} %, pedestal {t.Pedestal:0.##} ADC or bad fits {100 * t.BadFitFraction:0.###} % since run {reference}") +
                (flagged > 0 ? $"; {flagged} module(s) did." : "."));
        else if (flagged > 0) lines.Add($"{flagged} of {modules.Count} modules beyond a threshold since run {reference}.");
        return lines;
    }
}
