using GainCal.Reports;
using GainCal.Results;
using MessagePack;

namespace GainCal.Cluster;

/// <summary>Merge these FED results into &lt;OutputDir&gt;/GainCalibration.parquet (the reference's hadd), and compare
/// the run with its <see cref="Reference"/> calibration (a table or summary path; <see cref="ReferenceRun"/> its run, 0 when
/// named by path) if it has one. <see cref="CablingPath"/> (and tag): the run's own cabling map (create --cabling), which
/// says the modules of its failed and missing FEDs; null: the node's. Answered with CommandResult; the outcome also goes
/// to the coordinator as RunMerged.</summary>
[MessagePackObject, Manifest("merge-run-results")]
public sealed record MergeRunResults(
    [property: Key(0)] uint Run,
    [property: Key(1)] string OutputDir,
    [property: Key(2)] FedResultRef[] Results,
    [property: Key(3)] int[] FailedFeds,
    [property: Key(4)] int[] MissingFeds,
    [property: Key(5)] int[]? WarnedFeds = null,
    [property: Key(6)] string? Reference = null,
    [property: Key(7)] uint ReferenceRun = 0,
    [property: Key(8)] string? CablingPath = null,
    [property: Key(9)] string? CablingTag = null) : IRunAggregatorMessage
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
    [property: Key(12)] int[]? WarnedFeds = null,
    [property: Key(13)] DriftView? Drift = null) : IGainCalMessage
{
    /// <summary>Which of the run's FEDs the merged table holds, lacks, or holds with warnings (its metadata says the same).</summary>
    [IgnoreMember] public RunCompleteness Completeness => new(MergedFeds, FailedFeds, WarnedFeds ?? [], MissingFeds);
}

/// <summary>A merged run compared with its reference calibration (Reports.DriftCheck at merge): per layer and disk/ring
/// the change of mean gain (relative), mean pedestal (ADC) and bad-fit fraction, and the modules beyond a threshold
/// (at most <see cref="ListedModules"/>, largest gain change first). <see cref="Problem"/> says why there is no comparison
/// when the reference could not be read.</summary>
[MessagePackObject]
public sealed record DriftView(
    [property: Key(0)] uint ReferenceRun,
    [property: Key(1)] string Reference,
    [property: Key(2)] int CommonModules,
    [property: Key(3)] double GainThreshold,
    [property: Key(4)] double PedestalThreshold,
    [property: Key(5)] double BadFitThreshold,
    [property: Key(6)] PartDriftView[] Parts,
    [property: Key(7)] PartDriftView[] Modules,
    [property: Key(8)] int ModulesBeyondGain,
    [property: Key(9)] int ModulesBeyondPedestal,
    [property: Key(10)] int ModulesBeyondBadFits,
    [property: Key(11)] string[] Lines,
    [property: Key(12)] string? Problem)
{
    public const int ListedModules = 50;

    public static DriftView From(RunDrift d, string reference)
    {
        var beyond = d.Modules.Where(m => m.Beyond).OrderByDescending(m => double.IsFinite(m.Gain) ? Math.Abs(m.Gain) : 0).Take(ListedModules);
        return new DriftView(d.ReferenceRun, reference, d.CommonModules, d.Thresholds.Gain, d.Thresholds.Pedestal, d.Thresholds.BadFitFraction,
            d.Groups.Select(PartDriftView.From).ToArray(), beyond.Select(PartDriftView.From).ToArray(),
            d.Modules.Count(m => m.GainBeyond), d.Modules.Count(m => m.PedestalBeyond), d.Modules.Count(m => m.BadFitBeyond), d.Lines.ToArray(), null);
    }

    public static DriftView Failed(uint referenceRun, string reference, string problem) =>
        new(referenceRun, reference, 0, 0, 0, 0, [], [], 0, 0, 0, [$"no drift check against {reference}: {problem}"], problem);
}

/// <summary>One layer, disk/ring or module: gain change (0.06 = +6 %), pedestal change (ADC), bad-fit fraction change, and which are beyond.</summary>
[MessagePackObject]
public sealed record PartDriftView(
    [property: Key(0)] string Name,
    [property: Key(1)] int Modules,
    [property: Key(2)] double Gain,
    [property: Key(3)] double Pedestal,
    [property: Key(4)] double BadFitFraction,
    [property: Key(5)] bool GainBeyond,
    [property: Key(6)] bool PedestalBeyond,
    [property: Key(7)] bool BadFitBeyond)
{
    public static PartDriftView From(Drift d) => new(d.Name, d.Modules, d.Gain, d.Pedestal, d.BadFitFraction, d.GainBeyond, d.PedestalBeyond, d.BadFitBeyond);
}
