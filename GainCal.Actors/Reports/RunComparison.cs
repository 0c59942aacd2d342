using GainCal.Detector;
using GainCal.Results;

namespace GainCal.Reports;

/// <summary>Thresholds of the comparison verdict.</summary>
/// <param name="Gain">A part or module has changed when its mean relative gain change |B/A - 1| exceeds this.</param>
/// <param name="Pedestal">... or its mean pedestal change exceeds this many ADC counts.</param>
/// <param name="Status">... or more than this fraction of its pixels were lost or recovered.</param>
public sealed record ComparisonTolerances(double Gain = 0.01, double Pedestal = 1.0, double Status = 0.001)
{
    public static ComparisonTolerances Default { get; } = new();
}

/// <summary>Differences of one BPix layer or FPix disk/ring between run A and run B (B minus A).</summary>
public sealed class PartDelta
{
    public required int Part { get; init; }
    public required string Name { get; init; }
    public required int Modules { get; init; }
    public required long Pixels { get; init; }
    public required long Compared { get; init; }
    public required long Recovered { get; init; }
    public required long Lost { get; init; }
    public required long StillBad { get; init; }
    /// <summary>
    /// Mean: mean gain(B) / mean gain(A) - 1 over the compared pixels (the mean of per-pixel ratios would be biased
    /// upwards by the pixel noise, ~(sigma/gain)^2); RMS: spread of the per-pixel ratios gain(B)/gain(A) - 1.
    /// </summary>
    public required Moments RelativeGain { get; init; }
    public required Moments DeltaGain { get; init; }
    public required Moments DeltaPedestal { get; init; }
    public required bool GainChanged { get; init; }
    public required bool PedestalChanged { get; init; }
    public required bool StatusChanged { get; init; }
    public bool Changed => GainChanged || PedestalChanged || StatusChanged;
}

/// <summary>Per-module differences (B minus A) over pixels good in both runs.</summary>
/// <param name="MeanRelativeGain">mean gain(B) / mean gain(A) - 1 over the compared pixels.</param>
public sealed record ModuleDelta(uint DetId, string Name, int Part, long Compared, long Recovered, long Lost, long StillBad,
    double MeanRelativeGain, double MeanDeltaGain, double MeanDeltaPedestal, bool Changed);

/// <summary>
/// The comparison of two per-pixel tables, in the spirit of make_ComparisonPlots.cc's diff mode: pixels matched by
/// (DetId, module row, module column); recovered = bad in A and good in B, lost = good in A and bad in B, still bad =
/// bad in both (good = status &gt; 0, a pixel absent from a module's table counts as status 0); differences over pixels
/// that are good and within the gain/pedestal limits in both runs.
/// </summary>
public sealed class ComparisonSummary
{
    public required uint RunA { get; init; }
    public required uint RunB { get; init; }
    public required ComparisonTolerances Tolerances { get; init; }
    public required int CommonModules { get; init; }
    public required IReadOnlyList<string> ModulesOnlyInA { get; init; }
    public required IReadOnlyList<string> ModulesOnlyInB { get; init; }
    public required long Matched { get; init; }
    public required long Compared { get; init; }
    public required long Recovered { get; init; }
    public required long Lost { get; init; }
    public required long StillBad { get; init; }
    /// <summary>Good fits (<see cref="GoodFit"/>) of the common modules in A and in B, counted as summary and merge count them.</summary>
    public required long GoodFitA { get; init; }
    public required long GoodFitB { get; init; }
    /// <summary>Matched pixels whose status, gain and pedestal are bit-for-bit equal.</summary>
    public required long Identical { get; init; }
    /// <summary>Pixel counts by |status| in A (first index) and in B (second).</summary>
    public required long[][] StatusTransitions { get; init; }
    /// <summary>Per-pixel gain(B)/gain(A) - 1 over compared pixels, index 0 BPix, 1 FPix.</summary>
    public required Moments[] RelativeGain { get; init; }
    public required Moments[] DeltaGain { get; init; }
    public required Moments[] DeltaPedestal { get; init; }
    /// <summary>Gain and pedestal of the good pixels (status &gt; 0) of the common modules, per run, index 0 BPix, 1 FPix (compare_gain_calib.py's Old/New overlays).</summary>
    public required Histogram[] GainA { get; init; }
    public required Histogram[] GainB { get; init; }
    public required Histogram[] PedestalA { get; init; }
    public required Histogram[] PedestalB { get; init; }
    public required Histogram[] RelativeGainHistogram { get; init; }
    public required Histogram[] DeltaPedestalHistogram { get; init; }
    public required IReadOnlyList<PartDelta> Parts { get; init; }
    public required IReadOnlyList<ModuleDelta> ModuleList { get; init; }
    /// <summary>The macro's diff_badFits log lines: column halves with more than 5 and ROCs with more than 20 pixels recovered or lost.</summary>
    public required IReadOnlyList<string> DiffLog { get; init; }
    public IReadOnlyList<string> Verdict { get; internal set; } = [];

    public bool NoDifference => ModulesOnlyInA.Count == 0 && ModulesOnlyInB.Count == 0 && Identical == Matched;
}

public static class RunComparison
{
    private const long PixelsPerModule = RunSummary.PixelsPerModule;

    public static ComparisonSummary Compare(PixelTable a, PixelTable b, ComparisonTolerances? tolerances = null, Action<string>? progress = null)
    {
        var tol = tolerances ?? ComparisonTolerances.Default;
        progress?.Invoke("matching pixels");
        var (keysA, rowsA) = Sorted(a);
        var (keysB, rowsB) = Sorted(b);
        var modulesA = a.DetId.Distinct().ToHashSet();
        var modulesB = b.DetId.Distinct().ToHashSet();
        var common = modulesA.Intersect(modulesB).Where(m => DetectorPart.Of(new DetId(m)) >= 0).ToHashSet();
        var acc = new Dictionary<uint, ModuleAcc>();
        foreach (var m in common) acc[m] = new ModuleAcc(DetectorPart.Of(new DetId(m)));
        var transitions = new long[RunSummary.StatusBins][];
        for (var i = 0; i < transitions.Length; i++) transitions[i] = new long[RunSummary.StatusBins];
        var relative = new MomentSums[2];
        var deltaGain = new MomentSums[2];
        var deltaPedestal = new MomentSums[2];
        var relativeHistogram = new[] { RelativeGainHistogram(), RelativeGainHistogram() };
        var pedestalHistogram = new[] { DeltaPedestalHistogram(), DeltaPedestalHistogram() };
        Histogram[] Pair(Func<Histogram> make) => [make(), make()];
        var gainA = Pair(SummaryBuilder.GainHistogram);
        var gainB = Pair(SummaryBuilder.GainHistogram);
        var pedestalA = Pair(SummaryBuilder.PedestalHistogram);
        var pedestalB = Pair(SummaryBuilder.PedestalHistogram);
        long matched = 0, identical = 0, goodA = 0, goodB = 0;

        progress?.Invoke("comparing");
        int ia = 0, ib = 0;
        while (ia < keysA.Length || ib < keysB.Length)
        {
            var ka = ia < keysA.Length ? keysA[ia] : long.MaxValue;
            var kb = ib < keysB.Length ? keysB[ib] : long.MaxValue;
            var key = Math.Min(ka, kb);
            int? ra = ka == key ? rowsA[ia++] : null;
            int? rb = kb == key ? rowsB[ib++] : null;
            var module = (uint)(key >> 17);
            if (!acc.TryGetValue(module, out var m)) continue;
            var pixel = (int)(key & 0x1FFFF);
            int row = pixel / 416, col = pixel % 416;
            int statusA = ra is { } x ? a.Status[x] : 0, statusB = rb is { } y ? b.Status[y] : 0;
            if (ra is not null && rb is not null)
            {
                matched++;
                if (statusA == statusB && a.Gain[ra.Value].Equals(b.Gain[rb.Value]) && a.Pedestal[ra.Value].Equals(b.Pedestal[rb.Value])) identical++;
            }
            if (ra is { } ga && GoodFit.Is(statusA, a.Gain[ga], a.Pedestal[ga])) goodA++;
            if (rb is { } gb && GoodFit.Is(statusB, b.Gain[gb], b.Pedestal[gb])) goodB++;
            int absA = Math.Abs(statusA), absB = Math.Abs(statusB);
            if (absA < RunSummary.StatusBins && absB < RunSummary.StatusBins) transitions[absA][absB]++;
            var side = DetectorPart.IsBPix(m.Part) ? 0 : 1;
            if (statusA > 0) { gainA[side].Fill(a.Gain[ra!.Value]); pedestalA[side].Fill(a.Pedestal[ra.Value]); }
            if (statusB > 0) { gainB[side].Fill(b.Gain[rb!.Value]); pedestalB[side].Fill(b.Pedestal[rb.Value]); }
            var roc = col / 52 + 8 * (row / 80);
            var half = col * 2 + (row >= 79 ? 1 : 0);
            if (statusA <= 0 && statusB > 0) { m.Recovered++; m.RocRecovered[roc]++; m.ColumnRecovered[half]++; continue; }
            if (statusA > 0 && statusB <= 0) { m.Lost++; m.RocLost[roc]++; m.ColumnLost[half]++; continue; }
            if (statusA <= 0) { m.StillBad++; continue; }
            if (!GoodFit.Is(statusA, a.Gain[ra!.Value], a.Pedestal[ra.Value]) || !GoodFit.Is(statusB, b.Gain[rb!.Value], b.Pedestal[rb.Value])) continue;
            double gA = a.Gain[ra.Value], gB = b.Gain[rb.Value], pA = a.Pedestal[ra.Value], pB = b.Pedestal[rb.Value];
            if (gA == 0) continue;
            var sub = DetectorPart.IsBPix(m.Part) ? 0 : 1;
            var rel = gB / gA - 1;
            m.Compared++;
            m.Relative.Add(rel);
            m.GainA.Add(gA);
            m.DeltaGain.Add(gB - gA);
            m.DeltaPedestal.Add(pB - pA);
            relative[sub].Add(rel);
            deltaGain[sub].Add(gB - gA);
            deltaPedestal[sub].Add(pB - pA);
            relativeHistogram[sub].Fill(rel);
            pedestalHistogram[sub].Fill(pB - pA);
        }

        progress?.Invoke("verdict");
        var modules = new List<ModuleDelta>();
        var log = new List<string>();
        var parts = new PartAcc[DetectorPart.Count];
        for (var p = 0; p < parts.Length; p++) parts[p] = new PartAcc();
        foreach (var id in DetId.AllModules)
        {
            if (!acc.TryGetValue(id.Raw, out var m)) continue;
            var part = parts[m.Part];
            part.Modules++;
            part.Recovered += m.Recovered;
            part.Lost += m.Lost;
            part.StillBad += m.StillBad;
            part.Relative.Add(m.Relative);
            part.GainA.Add(m.GainA);
            part.DeltaGain.Add(m.DeltaGain);
            part.DeltaPedestal.Add(m.DeltaPedestal);
            var moduleRelative = m.DeltaGain.Mean / m.GainA.Mean;
            var changed = Math.Abs(moduleRelative) > tol.Gain || Math.Abs(m.DeltaPedestal.Mean) > tol.Pedestal
                || (m.Recovered + m.Lost) > tol.Status * PixelsPerModule;
            modules.Add(new ModuleDelta(id.Raw, id.ModuleName, m.Part, m.Compared, m.Recovered, m.Lost, m.StillBad,
                moduleRelative, m.DeltaGain.Mean, m.DeltaPedestal.Mean, changed));
            for (var h = 0; h < m.ColumnRecovered.Length; h++)
            {
                if (m.ColumnRecovered[h] > 5) log.Add($"{id.Raw} COL {h / 2 + 1,3},{h % 2} : {m.ColumnRecovered[h],5} pixels were recovered");
                if (m.ColumnLost[h] > 5) log.Add($"{id.Raw} COL {h / 2 + 1,3},{h % 2} : {m.ColumnLost[h],5} pixels were lost");
            }
            for (var r = 0; r < 16; r++)
            {
                if (m.RocRecovered[r] > 20) log.Add($"{id.Raw} ROC {r,2} : {m.RocRecovered[r],5} pixels were recovered");
                if (m.RocLost[r] > 20) log.Add($"{id.Raw} ROC {r,2} : {m.RocLost[r],5} pixels were lost");
            }
        }
        var partDeltas = Enumerable.Range(0, DetectorPart.Count).Select(p =>
        {
            var x = parts[p];
            var pixels = x.Modules * PixelsPerModule;
            var spread = x.Relative.ToMoments();
            var rel = spread with { Mean = x.DeltaGain.Mean / x.GainA.Mean };
            var ped = x.DeltaPedestal.ToMoments();
            return new PartDelta
            {
                Part = p, Name = DetectorPart.Name(p), Modules = x.Modules, Pixels = pixels, Compared = x.Relative.Count,
                Recovered = x.Recovered, Lost = x.Lost, StillBad = x.StillBad, RelativeGain = rel,
                DeltaGain = x.DeltaGain.ToMoments(), DeltaPedestal = ped,
                GainChanged = x.Relative.Count > 0 && Math.Abs(rel.Mean) > tol.Gain,
                PedestalChanged = x.DeltaPedestal.Count > 0 && Math.Abs(ped.Mean) > tol.Pedestal,
                StatusChanged = pixels > 0 && (x.Recovered + x.Lost) > tol.Status * pixels,
            };
        }).ToList();
        var onlyA = modulesA.Except(modulesB).Select(i => new DetId(i).ModuleName).Order(StringComparer.Ordinal).ToList();
        var onlyB = modulesB.Except(modulesA).Select(i => new DetId(i).ModuleName).Order(StringComparer.Ordinal).ToList();
        var summary = new ComparisonSummary
        {
            RunA = a.Run, RunB = b.Run, Tolerances = tol, CommonModules = common.Count, ModulesOnlyInA = onlyA, ModulesOnlyInB = onlyB,
            Matched = matched, Compared = partDeltas.Sum(p => p.Compared), Recovered = partDeltas.Sum(p => p.Recovered),
            Lost = partDeltas.Sum(p => p.Lost), StillBad = partDeltas.Sum(p => p.StillBad), Identical = identical,
            GoodFitA = goodA, GoodFitB = goodB,
            StatusTransitions = transitions,
            RelativeGain = relative.Select(r => r.ToMoments()).ToArray(),
            DeltaGain = deltaGain.Select(r => r.ToMoments()).ToArray(),
            DeltaPedestal = deltaPedestal.Select(r => r.ToMoments()).ToArray(),
            GainA = gainA, GainB = gainB, PedestalA = pedestalA, PedestalB = pedestalB,
            RelativeGainHistogram = relativeHistogram, DeltaPedestalHistogram = pedestalHistogram,
            Parts = partDeltas, ModuleList = modules, DiffLog = log,
        };
        summary.Verdict = Verdict(summary);
        return summary;
    }

    internal static Histogram RelativeGainHistogram() => new(200, -0.2, 0.2);
    internal static Histogram DeltaPedestalHistogram() => new(200, -50, 50);

    private static List<string> Verdict(ComparisonSummary s)
    {
        var lines = new List<string>();
        string Pct(double x) => (100 * x).ToString("+0.00;-0.00;0.00", System.Globalization.CultureInfo.InvariantCulture) + " %";
        string Adc(double x) => x.ToString("+0.00;-0.00;0.00", System.Globalization.CultureInfo.InvariantCulture) + " ADC";
        if (s.NoDifference)
        {
            lines.Add($"No difference: all {s.Matched:N0} matched pixels of {s.CommonModules} modules have the same status, gain and pedestal in runs {s.RunA} and {s.RunB}.");
            return lines;
        }
        if (s.CommonModules == 0)
        {
            lines.Add($"Nothing compared: runs {s.RunA} and {s.RunB} share no module ({s.ModulesOnlyInA.Count} modules only in A, {s.ModulesOnlyInB.Count} only in B).");
            return lines;
        }
        var changed = s.Parts.Where(p => p.Changed).ToList();
        var present = s.Parts.Where(p => p.Modules > 0).ToList();
        if (changed.Count == 0)
            lines.Add($"Within tolerance: no layer or disk/ring changed by more than {Pct(s.Tolerances.Gain)[1..]} in gain, " +
                $"{s.Tolerances.Pedestal} ADC in pedestal or {Pct(s.Tolerances.Status)[1..]} of pixels lost or recovered.");
        foreach (var p in changed)
        {
            var what = new List<string>();
            if (p.GainChanged) what.Add($"gain {Pct(p.RelativeGain.Mean)} (RMS {Pct(p.RelativeGain.Rms)[1..]})");
            if (p.PedestalChanged) what.Add($"pedestal {Adc(p.DeltaPedestal.Mean)}");
            if (p.StatusChanged) what.Add($"{p.Lost:N0} pixels lost, {p.Recovered:N0} recovered");
            var flagged = s.ModuleList.Count(m => m.Part == p.Part && m.Changed);
            lines.Add($"CHANGED {p.Name}: {string.Join(", ", what)}; {flagged} of {p.Modules} modules beyond tolerance.");
        }
        var unchanged = present.Where(p => !p.Changed).Select(p => p.Name).ToList();
        if (changed.Count > 0 && unchanged.Count > 0) lines.Add($"Unchanged within tolerance: {string.Join(", ", unchanged)}.");
        var stray = s.ModuleList.Where(m => m.Changed && !s.Parts[m.Part].Changed).ToList();
        if (stray.Count > 0)
            lines.Add($"{stray.Count} module(s) beyond tolerance in otherwise unchanged parts, e.g. {string.Join(", ", stray.Take(5).Select(m => m.Name))}.");
        lines.Add($"Pixels: {s.Recovered:N0} recovered (bad in {s.RunA}, good in {s.RunB}), {s.Lost:N0} lost, {s.StillBad:N0} still bad.");
        if (s.ModulesOnlyInA.Count > 0 || s.ModulesOnlyInB.Count > 0)
            lines.Add($"Modules only in run {s.RunA}: {s.ModulesOnlyInA.Count}; only in run {s.RunB}: {s.ModulesOnlyInB.Count} (not compared).");
        return lines;
    }

    /// <summary>Pixel keys (DetId, module row, module column) sorted, with the row index of each key.</summary>
    private static (long[] Keys, int[] Rows) Sorted(PixelTable t)
    {
        var keys = new long[t.RowCount];
        var rows = new int[t.RowCount];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = ((long)t.DetId[i] << 17) | (long)(t.ModuleRow[i] * 416 + t.ModuleCol[i]);
            rows[i] = i;
        }
        Array.Sort(keys, rows);
        return (keys, rows);
    }

    private sealed class PartAcc
    {
        public int Modules;
        public long Recovered, Lost, StillBad;
        public MomentSums Relative, DeltaGain, DeltaPedestal, GainA;
    }

    private sealed class ModuleAcc(int part)
    {
        public readonly int Part = part;
        public long Compared, Recovered, Lost, StillBad;
        public MomentSums Relative, DeltaGain, DeltaPedestal, GainA;
        public readonly int[] RocRecovered = new int[16], RocLost = new int[16];
        public readonly int[] ColumnRecovered = new int[832], ColumnLost = new int[832];
    }
}
