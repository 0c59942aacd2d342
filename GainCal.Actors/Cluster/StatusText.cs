using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GainCal.Cluster;

/// <summary>How `gaincal status` shows a run: the node renders it, and so does the client in --watch mode
/// (from the JSON), so the two look the same.</summary>
public static class StatusText
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // A drift of a module without good fits is NaN.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string ToJson(RunStatusView v) => JsonSerializer.Serialize(v, Json);
    public static RunStatusView? FromJson(string json) => JsonSerializer.Deserialize<RunStatusView>(json, Json);

    public static IEnumerable<string> Render(RunStatusView v)
    {
        var vcal = v.VCalTag is null ? "VCal: default conversion" : $"VCal {v.VCalTag}: {v.VCalPath}";
        yield return $"run {v.Run}{(v.BPixOnly ? " (BPix only)" : "")}  input {v.InputDir}  output {v.OutputDir}  {vcal}";
        var counts = string.Join(", ", Enum.GetValues<FedPhase>().Select(p => (p, n: v.Count(p))).Where(x => x.n > 0)
            .Select(x => $"{x.n} {Name(x.p)}"));
        yield return $"coordinator on {v.CoordinatorNode}; {v.Feds.Length} FEDs: {counts}{(v.Submitted ? "" : " (not submitted)")}" +
                     (v.MissingFeds.Length > 0 ? $"; {v.MissingFeds.Length} expected FEDs have no dump" : "");
        if (v.CablingPath is not null) yield return $"cabling: {v.CablingPath}{(v.CablingTag is null ? "" : $" (tag {v.CablingTag})")}";
        if (v.State == RunState.Running) yield return RunProgressLine(v);
        yield return $"{"FED",-5} {"STATE".PadRight(StateWidth)} {"NODE",-16} {"ATT",3}  PROGRESS / RESULT / ERROR";
        foreach (var f in v.Feds)
        {
            yield return $"{f.Fed,-5} {Name(f.Phase).PadRight(StateWidth)} {f.Node ?? "-",-16} {f.Attempts,3}  {Detail(f)}";
            if (f.Health is { } h)
                foreach (var w in h.Warnings) yield return $"      warning: {w}";
        }
        if (v.Merge is { } m)
            yield return m.Ok
                ? $"merged: {m.MergedPath} ({m.Rows} pixels from {m.MergedFeds.Length} FEDs){(v.MergeCurrent ? "" : "; FED results changed since, not current")}" +
                  (m.FailedFeds.Length > 0 ? $"; failed FEDs not merged: {FedList.Format(m.FailedFeds)}" : "")
                : $"merge failed: {m.Error}";
        else
            yield return v.AllEnded ? "merged: not yet" : "merged: when every FED has ended";
        if (v.Partial)
        {
            yield return v.Merge!.Completeness.Headline();
            foreach (var line in v.Merge.Completeness.Lines()) yield return "  " + line;
        }
        foreach (var line in DriftLines(v.Merge?.Drift)) yield return line;
    }

    /// <summary>The merge's drift check: the reference, what moved beyond a threshold per layer and disk/ring, and the
    /// modules that did (the first ten; the JSON has up to <see cref="DriftView.ListedModules"/>).</summary>
    public static IEnumerable<string> DriftLines(DriftView? d)
    {
        if (d is null) yield break;
        var i = CultureInfo.InvariantCulture;
        if (d.Problem is not null)
        {
            yield return d.Lines.FirstOrDefault() ?? d.Problem;
            yield break;
        }
        yield return string.Create(i, $"drift since run {d.ReferenceRun} ({d.Reference}; {d.CommonModules} modules in both; thresholds gain ") +
                     string.Create(i, $"{100 * d.GainThreshold:0.##} %, pedestal {d.PedestalThreshold:0.##} ADC, bad fits {100 * d.BadFitThreshold:0.###} %):");
        foreach (var line in d.Lines) yield return "  " + line;
        foreach (var m in d.Modules.Take(10))
            yield return string.Create(i, $"  module {m.Name}: gain {100 * m.Gain:+0.0;-0.0} %, pedestal {m.Pedestal:+0.00;-0.00} ADC, bad fits {100 * m.BadFitFraction:+0.00;-0.00} %");
        if (d.Modules.Length > 10) yield return $"  ... {d.Modules.Length - 10} more modules beyond a threshold in gaincal status --json";
    }

    public static string Name(FedPhase p) => p == FedPhase.DoneWithWarnings ? "done-with-warnings" : p.ToString().ToLowerInvariant();

    /// <summary>The STATE column fits the longest phase name, so that every row's later columns line up.</summary>
    static readonly int StateWidth = Enum.GetValues<FedPhase>().Max(p => Name(p).Length);

    /// <summary>The run's patterns fitted, pixels per second and ETA, over the FEDs that are running or still to run.</summary>
    static string RunProgressLine(RunStatusView v)
    {
        var patterns = v.Feds.Max(f => f.PatternCount);
        var fitted = v.Feds.Sum(f => f.Phase.HasEnded() ? patterns : f.PatternsFitted);
        var total = (long)patterns * v.Feds.Length;
        var share = total > 0 ? string.Create(CultureInfo.InvariantCulture, $"{100.0 * fitted / total:F1}% of patterns fitted, ") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"progress: {share}{v.Feds.Sum(f => f.Phase.HasEnded() ? f.Pixels : f.PixelsFitted):N0} pixels, {v.PixelsPerSecond:N0} pixels/s, ETA {Eta(v.EtaSeconds)}");
    }

    static string Eta(double? seconds) => seconds is { } s ? RunProgress.Duration(s) : "unknown";

    /// <summary>A running FED's share is its patterns fitted: reading runs ahead of fitting, so 100 % read is not 100 % done.</summary>
    static string Detail(FedStatusView f) => f.Phase switch
    {
        FedPhase.Running => f.PatternCount > 0
            ? string.Create(CultureInfo.InvariantCulture,
                $"{100.0 * f.PatternsFitted / f.PatternCount,5:F1}% {f.PatternsFitted}/{f.PatternCount} patterns fitted, {f.PixelsFitted:N0} pixels, " +
                $"{f.PixelsPerSecond:N0} pixels/s, ETA {Eta(f.EtaSeconds)}; read {f.BytesRead / 1e6:F1}/{f.Length / 1e6:F1} MB, {f.Events} events")
            : "starting",
        FedPhase.Done => $"{f.Pixels} pixels -> {f.ResultPath}{Errors(f.Health)}",
        FedPhase.DoneWithWarnings => $"{f.Pixels} pixels -> {f.ResultPath}; {Counts(f.Health)}{Errors(f.Health)}",
        FedPhase.Failed => f.Error ?? "failed",
        FedPhase.Queued => "waiting for a FED slot",
        _ => "",
    };

    /// <summary>The read counts that are not what a whole, clean dump gives, compactly.</summary>
    public static string Counts(FedHealth? h)
    {
        if (h is null) return "warnings in the FED report";
        var c = CultureInfo.InvariantCulture;
        var parts = new List<string> { string.Create(c, $"events {h.EventsRead:N0}/{h.EventsExpected:N0}{(h.Truncated ? " (truncated)" : "")}") };
        void Add(long n, string what)
        {
            if (n > 0) parts.Add(string.Create(c, $"{n:N0} {what}"));
        }
        Add(h.EventsMissing, "missing");
        Add(h.L1IdGaps, "L1ID gaps");
        Add(h.ShiftedPixels, $"pixels shifted ({h.ShiftedPatterns} patterns)");
        Add(h.Duplicates, "duplicates");
        Add(h.Resyncs, "resyncs");
        Add(h.InvalidAddresses, "invalid addresses");
        Add(h.OffPatternHits, "off pattern");
        return string.Join(", ", parts) + (h.Realigned ? "; realigned by L1ID" : "");
    }

    static string Errors(FedHealth? h) => h is { ErrorWords.Length: > 0 } ? $"; errors: {h.ErrorWords}" : "";
}
