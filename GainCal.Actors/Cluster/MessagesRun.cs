using MessagePack;

namespace GainCal.Cluster;

/// <summary>Where a FED of a run stands, as the coordinator sees it.</summary>
public enum FedPhase
{
    Created = 0,   // run created, not submitted
    Pending = 1,   // submitted, the FedCalibrator has not reported yet
    Queued = 2,    // accepted by a node, waiting for one of its FED slots
    Running = 3,
    Done = 4,
    Failed = 5,
    DoneWithWarnings = 6, // fitted, but the dump was not read whole and clean (counts in the FED's report)
}

public static class FedPhases
{
    /// <summary>The FED's table exists: done, with or without warnings.</summary>
    public static bool HasTable(this FedPhase p) => p is FedPhase.Done or FedPhase.DoneWithWarnings;

    public static bool HasEnded(this FedPhase p) => p is FedPhase.Done or FedPhase.DoneWithWarnings or FedPhase.Failed;
}

// ---- operator commands to the RunCoordinator (answered with CommandResult unless noted) ----

/// <summary>Record a run. The command host has scanned the input directory and read the VCal table already (the
/// coordinator, a singleton, does no file I/O): what it found is the request. <see cref="Reference"/>: the calibration
/// its merge is compared with, a run number or an absolute table/summary path (null: the previous merged run).</summary>
[MessagePackObject, Manifest("record-run")]
public sealed record CreateRun(
    [property: Key(0)] uint Run,
    [property: Key(1)] string InputDir,
    [property: Key(2)] string OutputDir,
    [property: Key(3)] string? VCalTag,
    [property: Key(4)] string? VCalPath,
    [property: Key(5)] bool BPixOnly,
    [property: Key(6)] int[] Feds,
    [property: Key(7)] int[] MissingFeds,
    [property: Key(8)] bool RealignEvents = false,
    [property: Key(9)] string? CablingPath = null,
    [property: Key(10)] string? CablingTag = null,
    [property: Key(11)] string? Reference = null) : IGainCalMessage;

[MessagePackObject, Manifest("submit-run")]
public sealed record SubmitRun([property: Key(0)] uint Run) : IGainCalMessage;

/// <summary>Resubmit FEDs; an empty list means the failed ones. Done FEDs are rerun only with Force.</summary>
[MessagePackObject, Manifest("resubmit-run")]
/// <summary>Within: run.py's -B/-F, the FEDs of that part (null: no narrowing); the FEDs chosen otherwise are narrowed to them.</summary>
public sealed record ResubmitRun(
    [property: Key(0)] uint Run,
    [property: Key(1)] int[] Feds,
    [property: Key(2)] bool Force,
    [property: Key(3)] int[]? Within = null) : IGainCalMessage;

/// <summary>Asks the coordinator what to merge; answered with MergePlan.</summary>
[MessagePackObject, Manifest("plan-merge")]
public sealed record PlanMerge([property: Key(0)] uint Run) : IGainCalMessage;

/// <summary>Either an error or the request to send to the run's aggregator.</summary>
[MessagePackObject, Manifest("merge-plan")]
public sealed record MergePlan(
    [property: Key(0)] string? Error,
    [property: Key(1)] MergeRunResults? Request) : IGainCalMessage;

/// <summary>Answered with RunStatusReply.</summary>
[MessagePackObject, Manifest("get-run-status")]
public sealed record GetRunStatus([property: Key(0)] uint Run) : IGainCalMessage;

[MessagePackObject, Manifest("run-status-reply")]
public sealed record RunStatusReply(
    [property: Key(0)] string? Error,
    [property: Key(1)] RunStatusView? Status) : IGainCalMessage;

[MessagePackObject, Manifest("run-status")]
public sealed record RunStatusView(
    [property: Key(0)] uint Run,
    [property: Key(1)] string InputDir,
    [property: Key(2)] string OutputDir,
    [property: Key(3)] string? VCalTag,
    [property: Key(4)] string? VCalPath,
    [property: Key(5)] bool BPixOnly,
    [property: Key(6)] bool Submitted,
    [property: Key(7)] int[] MissingFeds,
    [property: Key(8)] FedStatusView[] Feds,
    [property: Key(9)] RunMerged? Merge,
    [property: Key(10)] bool MergeCurrent,
    [property: Key(11)] string CoordinatorNode,
    [property: Key(12)] string? CablingPath = null,
    [property: Key(13)] string? CablingTag = null) : IGainCalMessage
{
    public int Count(FedPhase phase) => Feds.Count(f => f.Phase == phase);
    [IgnoreMember] public bool AllEnded => Submitted && Feds.All(f => f.Phase.HasEnded());
    [IgnoreMember] public RunState State => RunProgress.StateOf(this);
    [IgnoreMember] public double PixelsPerSecond => RunProgress.PixelsPerSecond(this);
    [IgnoreMember] public double? EtaSeconds => RunProgress.EtaSeconds(this);
    /// <summary>The current merged table lacks FEDs (failed, without a dump) or holds warned ones: what the dashboard marks "partial".</summary>
    [IgnoreMember] public bool Partial => Merge is { Ok: true } m && m.Completeness.Partial;
}

[MessagePackObject, Manifest("fed-status")]
public sealed record FedStatusView(
    [property: Key(0)] int Fed,
    [property: Key(1)] FedPhase Phase,
    [property: Key(2)] string? Node,
    [property: Key(3)] int Attempts,
    [property: Key(4)] long BytesRead,
    [property: Key(5)] long Length,
    [property: Key(6)] long Events,
    [property: Key(7)] int Patterns,
    [property: Key(8)] long PixelsFitted,
    [property: Key(9)] string? Error,
    [property: Key(10)] string? ResultPath,
    [property: Key(11)] int Pixels,
    [property: Key(12)] int PatternsFitted = 0,
    [property: Key(13)] FedHealth? Health = null,
    [property: Key(14)] int PatternCount = 0,
    [property: Key(15)] long ElapsedMs = 0,
    [property: Key(16)] long GoodFits = 0,
    [property: Key(17)] double Seconds = 0) : IGainCalMessage
{
    /// <summary>Pixels fitted per second of the current attempt (0 before its first fitted pattern).</summary>
    [IgnoreMember] public double PixelsPerSecond => ElapsedMs > 0 ? PixelsFitted * 1000.0 / ElapsedMs : 0;

    /// <summary>Seconds until the last pattern is fitted, at the attempt's pace so far; null while unknown.</summary>
    [IgnoreMember] public double? EtaSeconds => Phase == FedPhase.Running ? RunProgress.Eta(PatternCount - PatternsFitted, PatternsFitted, ElapsedMs) : null;
}
