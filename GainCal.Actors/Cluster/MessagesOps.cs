using MessagePack;

namespace GainCal.Cluster;

/// <summary>Every run the coordinator knows, for `gaincal runs` and the dashboard; answered with RunList.</summary>
[MessagePackObject, Manifest("list-runs")]
public sealed record ListRuns([property: Key(0)] bool SubmittedOnly) : IGainCalMessage;

/// <param name="Workers">The worker nodes the coordinator can place FEDs on, as it knows them now.</param>
[MessagePackObject, Manifest("run-list")]
public sealed record RunList(
    [property: Key(0)] RunStatusView[] Runs,
    [property: Key(1)] WorkerSlotsView[] Workers) : IGainCalMessage;

/// <summary>A worker node as the run coordinator sees it when it places FEDs: its FED slots (0 while it is not up and
/// reachable, or has not told them yet) and the FEDs placed on it that have not ended.</summary>
[MessagePackObject]
public sealed record WorkerSlotsView(
    [property: Key(0)] string Node,
    [property: Key(1)] int Slots,
    [property: Key(2)] int Busy);
