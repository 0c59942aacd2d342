using MessagePack;

namespace GainCal.Cluster;

// ---- to the FedCalibrator entity ----

/// <summary>Calibrate the FED. Generation is the coordinator's request counter for the FED: a repeated
/// request (same generation) never reruns a FED that ended; a new one reruns a failed FED, and a done
/// FED only when Force is set or its result file is gone.</summary>
[MessagePackObject, Manifest("start-fed")]
public sealed record StartFed(
    [property: Key(0)] FedJob Job,
    [property: Key(1)] int Generation,
    [property: Key(2)] bool Force) : IFedMessage
{
    [IgnoreMember] public uint Run => Job.Run;
    [IgnoreMember] public int Fed => Job.Fed;
}

[MessagePackObject, Manifest("fed-ended-ack")]
public sealed record FedEndedAck(
    [property: Key(0)] uint Run,
    [property: Key(1)] int Fed,
    [property: Key(2)] int Generation) : IFedMessage;

// ---- from the FedCalibrator to the coordinator ----

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
    [property: Key(12)] PixelStats? Stats) : IGainCalMessage;

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
    [property: Key(5)] PixelStats Stats) : IGainCalMessage;

[MessagePackObject, Manifest("fed-attempt-failed")]
public sealed record FedAttemptFailed(
    [property: Key(0)] int Attempt,
    [property: Key(1)] string Error) : IGainCalMessage;
