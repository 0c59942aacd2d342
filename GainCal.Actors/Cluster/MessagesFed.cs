using GainCal.Results;
using MessagePack;

namespace GainCal.Cluster;

// ---- to the FedCalibrator entity ----

/// <summary>Calibrate the FED. Generation is the coordinator's request counter for the FED: a repeated
/// request (same generation) never reruns a FED that ended; a new one reruns a failed FED, and a done
/// FED only when Force is set or its result file is gone. Node: where the coordinator placed the FED (the shard it goes to).</summary>
[MessagePackObject, Manifest("start-fed")]
public sealed record StartFed(
    [property: Key(0)] FedJob Job,
    [property: Key(1)] int Generation,
    [property: Key(2)] bool Force,
    [property: Key(3)] string Node) : IFedMessage
{
    [IgnoreMember] public uint Run => Job.Run;
    [IgnoreMember] public int Fed => Job.Fed;
}

[MessagePackObject, Manifest("fed-ended-ack")]
public sealed record FedEndedAck(
    [property: Key(0)] uint Run,
    [property: Key(1)] int Fed,
    [property: Key(2)] int Generation) : IFedMessage;

// ---- from the FedCalibrator and the node's FedSlots to the coordinator ----

/// <summary>A node's FED slots (its MaxFeds), told to the coordinator at the node's start and every few seconds after.</summary>
[MessagePackObject, Manifest("node-slots")]
public sealed record NodeSlots(
    [property: Key(0)] string Node,
    [property: Key(1)] int Slots) : IGainCalMessage;

[MessagePackObject, Manifest("fed-progress")]
public sealed record FedProgress(
    [property: Key(0)] uint Run,
    [property: Key(1)] int Fed,
    [property: Key(2)] int Generation,
    [property: Key(3)] int Attempt,
    [property: Key(4)] string Node,
    [property: Key(5)] bool Queued,
    [property: Key(6)] long BytesRead,
    [property: Key(7)] long Length,
    [property: Key(8)] long Events,
    [property: Key(9)] int Patterns,
    [property: Key(10)] long PixelsFitted,
    [property: Key(11)] int PatternsFitted = 0,
    [property: Key(12)] int PatternCount = 0,
    [property: Key(13)] long ElapsedMs = 0) : IGainCalMessage;

/// <summary>A FED's end, re-sent until acknowledged. AlreadyDone: answer to a request that did no work.</summary>
[MessagePackObject, Manifest("fed-ended")]
public sealed record FedEnded(
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
    [property: Key(12)] PixelStats? Stats,
    [property: Key(13)] FedHealth? Health = null) : IGainCalMessage;

/// <summary>How whole and clean a FED's dump was read (<see cref="FedReadCounts"/> on the wire): a FED with warnings ended
/// done-with-warnings. ErrorWords: error words by type per link ("link 3 timeout 12, ENE 2").</summary>
[MessagePackObject, Manifest("fed-health")]
public sealed record FedHealth(
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
    [property: Key(13)] string[] Warnings) : IGainCalMessage
{
    [IgnoreMember] public bool Clean => Warnings.Length == 0;

    public static FedHealth From(FedReadCounts c) =>
        new(c.EventsExpected, c.EventsRead, c.Truncated, c.L1IdGaps, c.EventsMissing, c.Duplicates, c.Resyncs, c.InvalidAddresses,
            c.OffPatternHits, c.ShiftedPatterns, c.ShiftedPixels, c.Realigned, c.ErrorWords, [.. c.Warnings]);
}

// ---- FedCalibrator events ----

[MessagePackObject, Manifest("fed-accepted")]
public sealed record FedAccepted(
    [property: Key(0)] FedJob Job,
    [property: Key(1)] int Generation) : IGainCalMessage;

[MessagePackObject, Manifest("fed-attempt-started")]
public sealed record FedAttemptStarted(
    [property: Key(0)] int Attempt,
    [property: Key(1)] string Node) : IGainCalMessage;

[MessagePackObject, Manifest("fed-succeeded")]
public sealed record FedSucceeded(
    [property: Key(0)] int Attempt,
    [property: Key(1)] string ResultPath,
    [property: Key(2)] string Checksum,
    [property: Key(3)] int Pixels,
    [property: Key(4)] long Events,
    [property: Key(5)] PixelStats Stats,
    [property: Key(6)] RecordedHealth? Health = null) : IGainCalMessage;

[MessagePackObject, Manifest("fed-attempt-failed")]
public sealed record FedAttemptFailed(
    [property: Key(0)] int Attempt,
    [property: Key(1)] string Error) : IGainCalMessage;
