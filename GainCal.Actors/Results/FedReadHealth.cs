using System.Globalization;
using GainCal.Calibration;
using GainCal.Detector;
using GainCal.Dump;

namespace GainCal.Results;

/// <summary>What makes a FED's dump "not read whole and clean": each count above its limit is a warning, and a FED with a
/// warning ends done-with-warnings instead of done. Counts are tolerated up to and including the limit; fractions are of
/// the FED's pixel words (hits, invalid addresses and off-pattern words together), error words of the events read.</summary>
public sealed record FedWarningLimits
{
    /// <summary>Events missing from the calibration sequence (truncation, L1ID gaps).</summary>
    public long MissingEvents { get; init; }

    /// <summary>Events repeating or going back in L1ID, and fragments repeating a FED within one event.</summary>
    public long Duplicates { get; init; }

    /// <summary>Resynchronisations: places where the reader skipped words to find the next SLink header.</summary>
    public long Resyncs { get; init; }

    /// <summary>Fragments dropped (CRC bit, no trailer) or with a trailer length that does not match.</summary>
    public long DamagedFragments { get; init; }

    public double InvalidAddressFraction { get; init; } = 1e-4;

    /// <summary>Hits on pixels outside the pattern being injected (noisy pixels, or a mismatched cabling).</summary>
    public double OffPatternFraction { get; init; } = 0.01;

    /// <summary>Hits on (link, ROC) pairs the cabling does not list.</summary>
    public double UncabledFraction { get; init; } = 1e-4;

    /// <summary>Error words (ROC 25, FIFO full, timeout, TBM error, ENE) per event read.</summary>
    public double ErrorWordsPerEvent { get; init; } = 0.01;

    /// <summary>A link whose words are mostly invalid or off pattern (more than this fraction, at least
    /// <see cref="MinLinkWords"/> words) does not fit the cabling.</summary>
    public double LinkMisfitFraction { get; init; } = 0.5;

    public const long MinLinkWords = 100;

    public static FedWarningLimits Default { get; } = new();

    /// <summary>Null when every limit is usable, else the one-line reason.</summary>
    public string? Problem()
    {
        if (MissingEvents < 0 || Duplicates < 0 || Resyncs < 0 || DamagedFragments < 0) return "event and fragment limits must be >= 0";
        double[] fractions = [InvalidAddressFraction, OffPatternFraction, UncabledFraction, LinkMisfitFraction];
        if (fractions.Any(f => !(f >= 0 && f <= 1)) || !(ErrorWordsPerEvent >= 0)) return "fractions must be between 0 and 1";
        return null;
    }
}

/// <summary>
/// How whole and clean a FED's dump was read: the counts the status, the metrics and the FED report show, and the
/// warnings those counts raise under a <see cref="FedWarningLimits"/>. Plain data, built once per FED at the end of its scan.
/// </summary>
public sealed record FedReadCounts(
    long EventsExpected,
    long EventsRead,
    bool Truncated,
    long L1IdGaps,
    long EventsMissing,
    long Duplicates,
    long Resyncs,
    long InvalidAddresses,
    long OffPatternHits,
    int ShiftedPatterns,
    long ShiftedPixels,
    bool Realigned,
    string ErrorWords,
    IReadOnlyList<string> Warnings)
{
    public bool Clean => Warnings.Count == 0;

    /// <summary>Error words by type per link, as the FED report and `status` show them: "link 3 timeout 12, ENE 2; link 7 FIFO full 1".</summary>
    public static string ErrorWordText(FedScanCounters counters)
    {
        var links = new List<string>();
        for (var link = 0; link < 64; link++)
        {
            var kinds = ErrorKinds.Where(k => counters.Special(link, k.Kind) > 0)
                .Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.Name} {counters.Special(link, k.Kind):N0}")).ToArray();
            if (kinds.Length > 0) links.Add($"link {link} {string.Join(", ", kinds)}");
        }
        return string.Join("; ", links);
    }

    /// <summary>The error words of the ROC field (gap and dummy words only fill, they are not errors).</summary>
    public static readonly IReadOnlyList<(RocField Kind, string Name)> ErrorKinds =
    [
        (RocField.Disabled, "ROC 25"),
        (RocField.FifoFull, "FIFO full"),
        (RocField.Timeout, "timeout"),
        (RocField.TbmTrailer, "TBM error"),
        (RocField.EventNumberError, "ENE"),
    ];

    /// <summary>The counts of a finished scan and the warnings they raise; each warning is one line naming the FED and the dump.</summary>
    public static FedReadCounts Of(string dump, int fed, DumpReadReport read, FedScanCounters scan, FedCalibrationSetup setup,
        FedCabling? cabling, FedWarningLimits limits)
    {
        var c = CultureInfo.InvariantCulture;
        var expected = setup.Pattern.ExpectedEvents;
        var missing = Math.Max(Math.Max(0, expected - read.Events), read.L1IdsMissing);
        var duplicates = read.L1IdDuplicates + read.L1IdDecreases;
        var damaged = read.CrcDroppedFragments + read.OversizedFragments + read.TrailerLengthMismatches;
        var words = scan.Hits + scan.InvalidPixelWords + scan.OutOfPatternHits + scan.UnknownRocHits;
        var errors = ErrorKinds.Sum(k => scan.Special(k.Kind));
        var errorText = ErrorWordText(scan);
        var warnings = new List<string>();
        void Warn(string text) => warnings.Add($"{dump}: FED {fed}: {text}");
        double Share(long n) => words > 0 ? (double)n / words : 0;

        if (read.Truncated || missing > limits.MissingEvents)
        {
            var why = read.Truncated ? string.Create(c, $"dump truncated at byte {read.TruncatedAt:N0}; ") : "";
            var gaps = read.L1IdGaps > 0 ? string.Create(c, $", {read.L1IdGaps:N0} L1ID gaps") : "";
            var shift = scan.ShiftedPatterns > 0
                ? string.Create(c, $"; in reading order (as the reference) {scan.ShiftedPatterns:N0} patterns, {scan.ShiftedPixels:N0} pixels were fitted with events on the wrong VCal point (--realign-events places events by L1ID)")
                : "";
            Warn(string.Create(c, $"{why}{missing:N0} events missing ({read.Events:N0} read, {expected:N0} expected{gaps}){shift}"));
        }
        if (duplicates > limits.Duplicates)
            Warn(string.Create(c, $"{duplicates:N0} events or fragments repeat or go back in L1ID"));
        if (read.Resyncs > limits.Resyncs)
            Warn(string.Create(c, $"{read.Resyncs:N0} resynchronisations ({read.WordsSkipped:N0} words skipped to find an SLink header)"));
        if (damaged > limits.DamagedFragments)
            Warn(string.Create(c, $"{damaged:N0} damaged fragments ({read.CrcDroppedFragments:N0} CRC-dropped, {read.OversizedFragments:N0} without trailer, {read.TrailerLengthMismatches:N0} with a wrong trailer length)"));
        if (Share(scan.InvalidPixelWords) > limits.InvalidAddressFraction)
            Warn(string.Create(c, $"{scan.InvalidPixelWords:N0} invalid pixel addresses ({100 * Share(scan.InvalidPixelWords):F2} % of pixel words)"));
        if (Share(scan.OutOfPatternHits) > limits.OffPatternFraction)
            Warn(string.Create(c, $"{scan.OutOfPatternHits:N0} hits off the pattern ({100 * Share(scan.OutOfPatternHits):F2} % of pixel words)"));
        if (Share(scan.UnknownRocHits) > limits.UncabledFraction)
            Warn(string.Create(c, $"{scan.UnknownRocHits:N0} hits on (link, ROC) pairs the cabling does not list: {string.Join(", ", scan.UnknownRocs.Order().Take(10).Select(x => $"({x.Link}, {x.Roc})"))}"));
        if (read.Events > 0 && (double)errors / read.Events > limits.ErrorWordsPerEvent)
            Warn(string.Create(c, $"{errors:N0} error words: {errorText}"));
        if (cabling is not null)
            foreach (var misfit in LinkMisfits(scan, cabling, limits))
                Warn(misfit);
        return new FedReadCounts(expected, read.Events, read.Truncated, read.L1IdGaps, missing, duplicates, read.Resyncs,
            scan.InvalidPixelWords, scan.OutOfPatternHits, scan.ShiftedPatterns, scan.ShiftedPixels, setup.RealignEvents, errorText,
            warnings);
    }

    /// <summary>Links whose words mostly do not fit the cabling's word layout, and what fits better: the other layout (layer 1
    /// or not) when it would have made most of them pattern hits.</summary>
    static IEnumerable<string> LinkMisfits(FedScanCounters scan, FedCabling cabling, FedWarningLimits limits)
    {
        var c = CultureInfo.InvariantCulture;
        foreach (var link in cabling.Rocs.Select(r => r.Link).Distinct().Order())
        {
            var misfit = scan.LinkInvalid(link) + scan.LinkOffPattern(link);
            var total = misfit + scan.LinkHits(link);
            if (total < FedWarningLimits.MinLinkWords || misfit <= limits.LinkMisfitFraction * total) continue;
            var layer1 = cabling.Rocs.Any(r => r.Link == link && r.IsLayer1);
            var cabled = layer1 ? "layer-1" : "layer 2-4/FPix";
            var other = layer1 ? "layer 2-4/FPix" : "layer-1";
            var fits = scan.LinkOtherLayoutFits(link);
            var verdict = fits > misfit / 2
                ? string.Create(c, $"link {link} looks like a {other} link ({100.0 * fits / misfit:F0} % of those words are pattern hits in the {other} layout)")
                : "neither word layout fits it: check the link's cabling";
            yield return string.Create(c,
                $"link {link}: {100.0 * misfit / total:F0} % of its {total:N0} pixel words are invalid ({scan.LinkInvalid(link):N0}) or off the pattern ({scan.LinkOffPattern(link):N0}) with the cabling's {cabled} layout; {verdict}");
        }
    }
}
