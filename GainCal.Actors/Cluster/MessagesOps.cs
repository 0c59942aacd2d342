using MessagePack;

namespace GainCal.Cluster;

/// <summary>Every run the coordinator knows, for `gaincal runs` and the dashboard; answered with RunList.</summary>
[MessagePackObject, Manifest("list-runs")]
public sealed record ListRuns([property: Key(0)] bool SubmittedOnly) : IGainCalMessage;

[MessagePackObject, Manifest("run-list")]
public sealed record RunList([property: Key(0)] RunStatusView[] Runs) : IGainCalMessage;
