using GainCal.Cluster;

namespace GainCal.Operations;

/// <summary>What a FedCalibrator is doing, published on its node's event stream (never sent anywhere, never
/// serialized) for the node's metrics: every progress report, and once when an attempt ends (Done or Failed)
/// with its final counts.</summary>
public sealed record FedActivity(uint Run, int Fed, int Attempt, FedPhase Phase, long BytesRead, long PixelsFitted);
