namespace GainCal.Cluster;

/// <summary>Where a run as a whole stands, as `gaincal runs` and `status` name it.</summary>
public enum RunState
{
    Created,    // not submitted
    Running,    // submitted, some FED has not ended
    Done,       // every FED has ended, the merge is not (yet) current
    Merged,     // merged, every FED done whole and clean
    Partial,    // merged, but some FED failed or ended with warnings
    Failed,     // every FED has ended and none has a table: nothing to merge
}

/// <summary>Rates and estimates of a run's progress, in patterns fitted: a FED's progress is the share of its calibration
/// patterns fitted (bytes read run ahead of the fits: a dump read to its end can still have half its patterns to fit).</summary>
public static class RunProgress
{
    public static string Name(this RunState s) => s.ToString().ToLowerInvariant();

    public static RunState StateOf(RunStatusView v)
    {
        if (!v.Submitted) return RunState.Created;
        if (!v.AllEnded) return RunState.Running;
        if (v.Feds.All(f => !f.Phase.HasTable())) return RunState.Failed;
        if (v.Merge is not { Ok: true } || !v.MergeCurrent) return RunState.Done;
        // The merge's own record decides (it also knows the FEDs without a dump); a merge of an earlier release has none.
        return v.Partial || v.Feds.Any(f => f.Phase is FedPhase.Failed or FedPhase.DoneWithWarnings) ? RunState.Partial : RunState.Merged;
    }

    /// <summary>Seconds for <paramref name="remaining"/> more at the pace of <paramref name="done"/> in <paramref name="elapsedMs"/>;
    /// null before the first is done.</summary>
    public static double? Eta(long remaining, long done, long elapsedMs) =>
        done > 0 && elapsedMs > 0 ? Math.Max(0, remaining) * (elapsedMs / 1000.0) / done : null;

    /// <summary>Pixels fitted per second by the run's running FEDs together.</summary>
    public static double PixelsPerSecond(RunStatusView v) => v.Feds.Where(f => f.Phase == FedPhase.Running).Sum(f => f.PixelsPerSecond);

    /// <summary>Seconds until every FED of the run has fitted its last pattern, if the FEDs running now keep their pace and
    /// the others follow (every FED of a run has the same patterns); null while no FED has fitted a pattern.</summary>
    public static double? EtaSeconds(RunStatusView v)
    {
        if (!v.Submitted || v.AllEnded) return null;
        var patterns = v.Feds.Max(f => f.PatternCount);
        var rate = v.Feds.Where(f => f.Phase == FedPhase.Running && f.ElapsedMs > 0).Sum(f => f.PatternsFitted * 1000.0 / f.ElapsedMs);
        if (patterns == 0 || rate <= 0) return null;
        var remaining = v.Feds.Where(f => !f.Phase.HasEnded()).Sum(f => (long)Math.Max(0, (f.PatternCount > 0 ? f.PatternCount : patterns) - f.PatternsFitted));
        return remaining / rate;
    }

    /// <summary>"1:05:07", "4:02", "0:09".</summary>
    public static string Duration(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Round(seconds));
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}" : $"{t.Minutes}:{t.Seconds:00}";
    }
}
