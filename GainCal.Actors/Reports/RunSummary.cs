using GainCal.Calibration;
using GainCal.Results;

namespace GainCal.Reports;

/// <summary>
/// Everything the run summary shows, computed from a per-pixel table the way make_ComparisonPlots.cc does
/// (domain.md section 6): every module present in the table counts 66,560 pixels, a pixel absent from the table is
/// an empty histogram bin there, i.e. |status| 0 and a bad fit; "good fit" is <see cref="Results.GoodFit"/>.
/// </summary>
public sealed class RunSummary
{
    public const int PixelsPerModule = 160 * 416;
    public const int PixelsPerRoc = 80 * 52;
    public const int StatusBins = 9;

    /// <summary>frac_flag_high_gain of the macro (7 x 50 electrons per ADC since the VCal-to-electron conversion).</summary>
    public const double HighGainThreshold = 7 * 50;

    public required uint Run { get; init; }
    public required int Modules { get; init; }
    public required long Pixels { get; init; }
    public required long BPixPixels { get; init; }
    public required long FPixPixels { get; init; }
    public required long GoodFitPixels { get; init; }
    public required long BPixGoodFitPixels { get; init; }
    public required long FPixGoodFitPixels { get; init; }
    /// <summary>Pixels per |status| 0..8 (0 also counts pixels absent from the table).</summary>
    public required long[] StatusCounts { get; init; }
    /// <summary>Rows whose status is none of the reference's codes; counted as bad fits.</summary>
    public required long UnknownStatusPixels { get; init; }
    /// <summary>Rows skipped because their DetId is not a Phase-1 module or their module row/column is out of range.</summary>
    public required long SkippedRows { get; init; }
    /// <summary>Good-status pixels with values beyond the good-fit limits (nPixHigherMax).</summary>
    public required long OutlierPixels { get; init; }
    public required long HighGainPixels { get; init; }
    public required long HighGainColumns { get; init; }
    public required long HighGainRocs { get; init; }

    /// <summary>Mean and RMS over good-fit pixels, as the summary text's "Gain Mean" lines (index 0 BPix, 1 FPix).</summary>
    public required Moments[] Gain { get; init; }
    public required Moments[] GainError { get; init; }
    public required Moments[] Pedestal { get; init; }
    public required Moments[] PedestalError { get; init; }
    /// <summary>Min/mean/max of gain and pedestal over every pixel with status &gt; 0 (Summary.txt of a job); index 0 BPix, 1 FPix.</summary>
    public required Moments[] FittedGain { get; init; }
    public required Moments[] FittedPedestal { get; init; }

    public required IReadOnlyList<PartSummary> Parts { get; init; }
    /// <summary>Modules present in the table, in DetId.AllModules order (BPix then FPix).</summary>
    public required IReadOnlyList<ModuleSummary> ModuleList { get; init; }
    /// <summary>ROCs with at least one bad fit or more than 5 high-gain pixels, most bad fits first.</summary>
    public required IReadOnlyList<RocSummary> Rocs { get; init; }

    /// <summary>Mean gain and pedestal per column half and per ROC (good-fit pixels), index 0 BPix, 1 FPix.</summary>
    public required Histogram[] ColumnGain { get; init; }
    public required Histogram[] ColumnPedestal { get; init; }
    public required Histogram[] RocGain { get; init; }
    public required Histogram[] RocPedestal { get; init; }
    /// <summary>Per-pixel correlations of good fits, index 0 BPix, 1 FPix; inner index as SummaryBuilder.Correlations.</summary>
    public required Histogram2D[][] Correlations { get; init; }

    public static FitStatus StatusOfBin(int absStatus) => absStatus switch
    {
        0 => FitStatus.NoStatus,
        1 => FitStatus.Ok,
        2 => FitStatus.TooManyPlateauPoints,
        3 => FitStatus.NoPlateau,
        4 => FitStatus.LowProbability,
        5 => FitStatus.HighChi2,
        6 => FitStatus.NotANumber,
        7 => FitStatus.TooFewPoints,
        8 => FitStatus.GainOutOfRange,
        _ => throw new ArgumentOutOfRangeException(nameof(absStatus)),
    };

    public static double Percent(long part, long total) => total == 0 ? 0 : 100.0 * part / total;
}

/// <summary>One BPix layer or FPix disk/ring (see <see cref="DetectorPart"/>).</summary>
public sealed class PartSummary
{
    public required int Part { get; init; }
    public required string Name { get; init; }
    public required int Modules { get; init; }
    public required long Pixels { get; init; }
    public required long[] StatusCounts { get; init; }
    public required long BadFits { get; init; }
    public required long GoodFitPixels { get; init; }
    public required Moments Gain { get; init; }
    public required Moments Pedestal { get; init; }
    public required Histogram GainHistogram { get; init; }
    public required Histogram PedestalHistogram { get; init; }
}

/// <summary>
/// Per-module figures: the macro's per-module means (SUM_/MAP_ plots) over good-fit pixels, except MeanPoints, the
/// mean of GainNPoints1d (every pixel that reached the fit, npoints below 20).
/// </summary>
public sealed record ModuleSummary(
    uint DetId, string Name, int Part, int PixelsInTable, int BadFits, int GoodStatus, int GoodFitPixels, int HighGain,
    double MeanGain, double MeanPedestal, double MeanGainError, double MeanPedestalError, double MeanSaturation,
    double MeanDynamicRange, double MeanStatus, double MeanChi2Ndf, double MeanProbability, double MeanLowPoint,
    double MeanHighPoint, double MeanPoints)
{
    public double FractionBadFit => (double)BadFits / RunSummary.PixelsPerModule;
    /// <summary>Among pixels with status &gt; 0, the fraction with |gain| above the high-gain threshold (M_frac_gain_high).</summary>
    public double FractionHighGain => GoodStatus == 0 ? double.NaN : (double)HighGain / GoodStatus;
}

/// <summary>
/// One ROC, by its position in the module, <c>col/52 + 8*(row/80)</c> as the macro's rocId, and by its online
/// address (FED, link, ROC number on the link) taken from the table (-1 when none of its pixels is in the table).
/// </summary>
public sealed record RocSummary(
    uint DetId, string ModuleName, int Position, int Fed, int Link, int Roc, int PixelsInTable, int BadFits,
    int HighGain, int GoodFitPixels, double MeanGain, double MeanPedestal)
{
    public bool Dead => BadFits == RunSummary.PixelsPerRoc;
    /// <summary>The reference's badFitsROCs log lists ROCs with more than 100 bad fits but leaves out fully bad ones.</summary>
    public bool InReferenceBadFitLog => BadFits > 100 && BadFits != RunSummary.PixelsPerRoc;
    /// <summary>The reference's highGainROCs log: more than 5 good-fit pixels above the high-gain threshold.</summary>
    public bool InReferenceHighGainLog => HighGain > 5;
}
