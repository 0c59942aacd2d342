using GainCal.Results;
using MessagePack;

namespace GainCal.Cluster;

/// <summary>Merge these FED results into &lt;OutputDir&gt;/GainCalibration.parquet (the reference's hadd).
/// Answered with CommandResult; the outcome also goes to the coordinator as RunMerged.</summary>
[MessagePackObject, Manifest("merge-run-results")]
public sealed record MergeRunResults(
    [property: Key(0)] uint Run,
    [property: Key(1)] string OutputDir,
    [property: Key(2)] FedResultRef[] Results,
    [property: Key(3)] int[] FailedFeds,
    [property: Key(4)] int[] MissingFeds,
    [property: Key(5)] int[]? WarnedFeds = null) : IRunAggregatorMessage
{
    /// <summary>Which of the run's FEDs this merge holds, lacks, or holds with warnings.</summary>
    [IgnoreMember] public RunCompleteness Completeness => new(Results.Select(r => r.Fed).Order().ToArray(), FailedFeds, WarnedFeds ?? [], MissingFeds);

    [IgnoreMember] public string MergedPath => new RunLayout(OutputDir).MergedTable;

    /// <summary>Identifies the input set: the same FED files give the same merged table.</summary>
    [IgnoreMember] public string InputKey => string.Join(';', Results.OrderBy(r => r.Fed).Select(r => $"{r.Fed}:{r.Checksum}"));
}

/// <summary>The aggregator's outcome, to the coordinator and the operator. (Its manifest was "run-merged" while the
/// aggregator persisted it; old journals' "run-merged" entries are now read as <see cref="MergeOutcomeRecorded"/>.)</summary>
[MessagePackObject, Manifest("merge-finished")]
public sealed record RunMerged(
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
    [property: Key(12)] int[]? WarnedFeds = null) : IGainCalMessage
{
    /// <summary>Which of the run's FEDs the merged table holds, lacks, or holds with warnings (its metadata says the same).</summary>
    [IgnoreMember] public RunCompleteness Completeness => new(MergedFeds, FailedFeds, WarnedFeds ?? [], MissingFeds);
}
