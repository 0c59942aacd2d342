using GainCal.Results;
using MessagePack;

namespace GainCal.Cluster;

// The journal's records of the RunCoordinator and the RunAggregator. They are records of their own, never wire
// messages or wrappers of them: a message may change shape between releases, a journal must stay readable.
// RunEventsTests pins the bytes of each of them.

/// <summary>What `create` recorded (the reference's config.json).</summary>
[MessagePackObject, Manifest("run-created")]
public sealed record RunCreated(
    [property: Key(0)] uint Run,
    [property: Key(1)] string InputDir,
    [property: Key(2)] string OutputDir,
    [property: Key(3)] string? VCalTag,
    [property: Key(4)] string? VCalPath,
    [property: Key(5)] bool BPixOnly,
    [property: Key(6)] int[] Feds,
    [property: Key(7)] int[] MissingFeds,
    [property: Key(8)] long CreatedUnixMs,
    [property: Key(9)] bool RealignEvents = false,
    [property: Key(10)] string? CablingPath = null,
    [property: Key(11)] string? CablingTag = null,
    [property: Key(12)] string? Reference = null) : IGainCalMessage;

[MessagePackObject, Manifest("run-submitted")]
public sealed record RunSubmitted([property: Key(0)] uint Run) : IGainCalMessage;

/// <summary>FEDs sent (again) to their FedCalibrators; each one's request generation goes up by one.</summary>
[MessagePackObject, Manifest("feds-requested")]
public sealed record FedsRequested(
    [property: Key(0)] uint Run,
    [property: Key(1)] int[] Feds,
    [property: Key(2)] bool Force) : IGainCalMessage;

/// <summary>The node the coordinator placed a FED's request on (where it saw a free slot): the FED runs there, and after a
/// move or restart of the coordinator its start is sent there again while that node is in the cluster.</summary>
[MessagePackObject, Manifest("fed-placed")]
public sealed record FedPlaced(
    [property: Key(0)] uint Run,
    [property: Key(1)] int Fed,
    [property: Key(2)] int Generation,
    [property: Key(3)] string Node) : IGainCalMessage;

/// <summary>How a FED ended, as the coordinator records it.</summary>
[MessagePackObject, Manifest("fed-outcome")]
public sealed record FedOutcomeRecorded(
    [property: Key(0)] uint Run,
    [property: Key(1)] int Fed,
    [property: Key(2)] int Generation,
    [property: Key(3)] int Attempts,
    [property: Key(4)] bool Ok,
    [property: Key(5)] string? ResultPath,
    [property: Key(6)] string? Checksum,
    [property: Key(7)] int Pixels,
    [property: Key(8)] long Events,
    [property: Key(9)] string? Error,
    [property: Key(10)] string Node,
    [property: Key(11)] RecordedStats? Stats,
    [property: Key(12)] RecordedHealth? Health = null) : IGainCalMessage
{
    public static FedOutcomeRecorded From(FedEnded e) =>
        new(e.Run, e.Fed, e.Generation, e.Attempts, e.Ok, e.ResultPath, e.Checksum, e.Pixels, e.Events, e.Error, e.Node,
            e.Stats is { } s ? RecordedStats.From(s) : null, e.Health is { } h ? RecordedHealth.From(h) : null);

    /// <summary>The FED's phase this outcome gives: a table read from a dump with warnings is done-with-warnings.</summary>
    [IgnoreMember] public FedPhase Phase => !Ok ? FedPhase.Failed : Health is { Warnings.Length: > 0 } ? FedPhase.DoneWithWarnings : FedPhase.Done;
}

/// <summary>A FED's read counts and warnings as recorded (the journal's own copy of <see cref="FedHealth"/>).</summary>
[MessagePackObject]
public sealed record RecordedHealth(
    [property: Key(0)] long EventsExpected,
    [property: Key(1)] long EventsRead,
    [property: Key(2)] bool Truncated,
    [property: Key(3)] long L1IdGaps,
    [property: Key(4)] long EventsMissing,
    [property: Key(5)] long Duplicates,
    [property: Key(6)] long Resyncs,
    [property: Key(7)] long InvalidAddresses,
    [property: Key(8)] long OffPatternHits,
    [property: Key(9)] int ShiftedPatterns,
    [property: Key(10)] long ShiftedPixels,
    [property: Key(11)] bool Realigned,
    [property: Key(12)] string ErrorWords,
    [property: Key(13)] string[] Warnings)
{
    public static RecordedHealth From(FedHealth h) =>
        new(h.EventsExpected, h.EventsRead, h.Truncated, h.L1IdGaps, h.EventsMissing, h.Duplicates, h.Resyncs, h.InvalidAddresses,
            h.OffPatternHits, h.ShiftedPatterns, h.ShiftedPixels, h.Realigned, h.ErrorWords, h.Warnings);

    public FedHealth ToHealth() =>
        new(EventsExpected, EventsRead, Truncated, L1IdGaps, EventsMissing, Duplicates, Resyncs, InvalidAddresses, OffPatternHits,
            ShiftedPatterns, ShiftedPixels, Realigned, ErrorWords, Warnings);
}

/// <summary>A merge's outcome: the coordinator's record of it, and the aggregator's.</summary>
[MessagePackObject, Manifest("merge-outcome")]
public sealed record MergeOutcomeRecorded(
    [property: Key(0)] uint Run,
    [property: Key(1)] bool Ok,
    [property: Key(2)] string InputKey,
    [property: Key(3)] string? MergedPath,
    [property: Key(4)] string? Checksum,
    [property: Key(5)] int[] MergedFeds,
    [property: Key(6)] int[] FailedFeds,
    [property: Key(7)] int[] MissingFeds,
    [property: Key(8)] int Rows,
    [property: Key(9)] string? Summary,
    [property: Key(10)] string? Error,
    [property: Key(11)] long MergedUnixMs,
    [property: Key(12)] int[]? WarnedFeds = null,
    [property: Key(13)] RecordedDrift? Drift = null) : IGainCalMessage
{
    public static MergeOutcomeRecorded From(RunMerged m) =>
        new(m.Run, m.Ok, m.InputKey, m.MergedPath, m.Checksum, m.MergedFeds, m.FailedFeds, m.MissingFeds, m.Rows, m.Summary, m.Error,
            m.MergedUnixMs, m.WarnedFeds, m.Drift is { } d ? RecordedDrift.From(d) : null);

    public RunMerged ToMessage() =>
        new(Run, Ok, InputKey, MergedPath, Checksum, MergedFeds, FailedFeds, MissingFeds, Rows, Summary, Error, MergedUnixMs, WarnedFeds,
            Drift?.ToView());
}

/// <summary>The merge's drift check as recorded (the journal's own copy of <see cref="DriftView"/>).</summary>
[MessagePackObject]
public sealed record RecordedDrift(
    [property: Key(0)] uint ReferenceRun,
    [property: Key(1)] string Reference,
    [property: Key(2)] int CommonModules,
    [property: Key(3)] double GainThreshold,
    [property: Key(4)] double PedestalThreshold,
    [property: Key(5)] double BadFitThreshold,
    [property: Key(6)] RecordedPartDrift[] Parts,
    [property: Key(7)] RecordedPartDrift[] Modules,
    [property: Key(8)] int ModulesBeyondGain,
    [property: Key(9)] int ModulesBeyondPedestal,
    [property: Key(10)] int ModulesBeyondBadFits,
    [property: Key(11)] string[] Lines,
    [property: Key(12)] string? Problem)
{
    public static RecordedDrift From(DriftView d) =>
        new(d.ReferenceRun, d.Reference, d.CommonModules, d.GainThreshold, d.PedestalThreshold, d.BadFitThreshold,
            d.Parts.Select(RecordedPartDrift.From).ToArray(), d.Modules.Select(RecordedPartDrift.From).ToArray(), d.ModulesBeyondGain,
            d.ModulesBeyondPedestal, d.ModulesBeyondBadFits, d.Lines, d.Problem);

    public DriftView ToView() =>
        new(ReferenceRun, Reference, CommonModules, GainThreshold, PedestalThreshold, BadFitThreshold, Parts.Select(p => p.ToView()).ToArray(),
            Modules.Select(p => p.ToView()).ToArray(), ModulesBeyondGain, ModulesBeyondPedestal, ModulesBeyondBadFits, Lines, Problem);
}

[MessagePackObject]
public sealed record RecordedPartDrift(
    [property: Key(0)] string Name,
    [property: Key(1)] int Modules,
    [property: Key(2)] double Gain,
    [property: Key(3)] double Pedestal,
    [property: Key(4)] double BadFitFraction,
    [property: Key(5)] bool GainBeyond,
    [property: Key(6)] bool PedestalBeyond,
    [property: Key(7)] bool BadFitBeyond)
{
    public static RecordedPartDrift From(PartDriftView p) =>
        new(p.Name, p.Modules, p.Gain, p.Pedestal, p.BadFitFraction, p.GainBeyond, p.PedestalBeyond, p.BadFitBeyond);

    public PartDriftView ToView() => new(Name, Modules, Gain, Pedestal, BadFitFraction, GainBeyond, PedestalBeyond, BadFitBeyond);
}

/// <summary>A FED's summary numbers as recorded (the journal's own copy of <see cref="PixelStats"/>).</summary>
[MessagePackObject]
public sealed record RecordedStats(
    [property: Key(0)] long Pixels,
    [property: Key(1)] long WithData,
    [property: Key(2)] int[] Statuses,
    [property: Key(3)] long[] StatusCounts,
    [property: Key(4)] RecordedMoments Gain,
    [property: Key(5)] RecordedMoments Pedestal,
    [property: Key(6)] long GoodFits = 0)
{
    public static RecordedStats From(PixelStats s) =>
        new(s.Pixels, s.WithData, s.Statuses, s.StatusCounts, RecordedMoments.From(s.Gain), RecordedMoments.From(s.Pedestal), s.GoodFits);

    public PixelStats ToStats() => new(Pixels, WithData, Statuses, StatusCounts, Gain.ToMoments(), Pedestal.ToMoments(), GoodFits);
}

[MessagePackObject]
public sealed record RecordedMoments(
    [property: Key(0)] long Count,
    [property: Key(1)] double Mean,
    [property: Key(2)] double M2,
    [property: Key(3)] double Min,
    [property: Key(4)] double Max)
{
    public static RecordedMoments From(Moments m) => new(m.Count, m.Mean, m.M2, m.Min, m.Max);
    public Moments ToMoments() => new(Count, Mean, M2, Min, Max);
}

// ---- snapshots ----

/// <summary>The coordinator's persisted state (what its events build; live progress is not part of it).</summary>
[MessagePackObject, Manifest("run-registry-snap")]
public sealed record RunRegistrySnapshot([property: Key(0)] RecordedRun[] Runs) : IGainCalMessage;

[MessagePackObject]
public sealed record RecordedRun(
    [property: Key(0)] RunCreated Spec,
    [property: Key(1)] bool Submitted,
    [property: Key(2)] RecordedFed[] Feds,
    [property: Key(3)] MergeOutcomeRecorded? Merge);

[MessagePackObject]
public sealed record RecordedFed(
    [property: Key(0)] int Fed,
    [property: Key(1)] int Phase,
    [property: Key(2)] int Generation,
    [property: Key(3)] bool Force,
    [property: Key(4)] int Attempts,
    [property: Key(5)] string? Error,
    [property: Key(6)] string? ResultPath,
    [property: Key(7)] string? Checksum,
    [property: Key(8)] int Pixels,
    [property: Key(9)] RecordedStats? Stats,
    [property: Key(10)] string? Node,
    [property: Key(11)] RecordedHealth? Health = null,
    [property: Key(12)] string? Placed = null);

/// <summary>The aggregator's persisted state: its last merge.</summary>
[MessagePackObject, Manifest("run-aggregator-snap")]
public sealed record RunAggregatorSnapshot([property: Key(0)] MergeOutcomeRecorded? Last) : IGainCalMessage;

// ---- written by earlier releases: read from old journals, never written ----

/// <summary>The coordinator's FED end before <see cref="FedOutcomeRecorded"/>: a FedEnded message inside (frozen here as it was).</summary>
[MessagePackObject, Manifest("fed-end-recorded")]
public sealed record LegacyFedEndRecorded([property: Key(0)] LegacyFedEnd End) : IGainCalMessage
{
    public FedOutcomeRecorded ToEvent() =>
        new(End.Run, End.Fed, End.Generation, End.Attempts, End.Ok, End.ResultPath, End.Checksum, End.Pixels, End.Events, End.Error,
            End.Node, End.Stats);
}

[MessagePackObject]
public sealed record LegacyFedEnd(
    [property: Key(0)] uint Run,
    [property: Key(1)] int Fed,
    [property: Key(2)] int Generation,
    [property: Key(3)] int Attempts,
    [property: Key(4)] bool Ok,
    [property: Key(5)] string? ResultPath,
    [property: Key(6)] string? Checksum,
    [property: Key(7)] int Pixels,
    [property: Key(8)] long Events,
    [property: Key(9)] string? Error,
    [property: Key(10)] string Node,
    [property: Key(11)] bool AlreadyDone,
    [property: Key(12)] RecordedStats? Stats);

/// <summary>The coordinator's merge record before <see cref="MergeOutcomeRecorded"/>: a RunMerged message inside, whose
/// keys were those of MergeOutcomeRecorded.</summary>
[MessagePackObject, Manifest("merge-recorded")]
public sealed record LegacyMergeRecorded([property: Key(0)] MergeOutcomeRecorded Merge) : IGainCalMessage;

/// <summary>The aggregator's event before <see cref="MergeOutcomeRecorded"/> (then also the wire message, manifest
/// "run-merged"); same keys.</summary>
[MessagePackObject, Manifest("run-merged")]
public sealed record LegacyRunMerged(
    [property: Key(0)] uint Run,
    [property: Key(1)] bool Ok,
    [property: Key(2)] string InputKey,
    [property: Key(3)] string? MergedPath,
    [property: Key(4)] string? Checksum,
    [property: Key(5)] int[] MergedFeds,
    [property: Key(6)] int[] FailedFeds,
    [property: Key(7)] int[] MissingFeds,
    [property: Key(8)] int Rows,
    [property: Key(9)] string? Summary,
    [property: Key(10)] string? Error,
    [property: Key(11)] long MergedUnixMs) : IGainCalMessage
{
    public MergeOutcomeRecorded ToEvent() =>
        new(Run, Ok, InputKey, MergedPath, Checksum, MergedFeds, FailedFeds, MissingFeds, Rows, Summary, Error, MergedUnixMs);
}
