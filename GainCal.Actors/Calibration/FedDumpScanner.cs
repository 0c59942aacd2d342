using GainCal.Storage;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using GainCal.Detector;
using GainCal.Dump;

namespace GainCal.Calibration;

/// <summary>
/// Which patterns a scanner decodes: those with pattern % Count == Index. Several scanners over the same
/// dump, one per shard, decode it in parallel; reading a dump twice from the page cache costs little next to decoding it.
/// </summary>
public readonly record struct PatternShard(int Index, int Count)
{
    public static PatternShard All => new(0, 1);

    public bool Owns(int pattern) => Count <= 1 || pattern % Count == Index;
}

/// <summary>Where a FED scan stands: bytes and events read, patterns completed.</summary>
public readonly record struct FedScanProgress(long BytesRead, long Length, long Events, int Patterns)
{
    public double Fraction => Length > 0 ? (double)BytesRead / Length : 0;
}

/// <summary>
/// Streams one FED's dump pattern by pattern, as the reference's SiPixelCalibDigiProducer does:
/// the n-th event read is the n-th trigger of the calibration sequence (its L1ID is not used),
/// every hit of a pattern's events is accumulated at that event's VCal point, and when the
/// pattern's last event has been read the curves of the pattern's injected pixels are handed out.
/// Memory is one pattern's accumulator, whatever the size of the dump.
/// </summary>
public sealed class FedDumpScanner : IDisposable
{
    private readonly DumpReader _reader;
    private readonly FedCalibrationSetup _setup;
    private readonly CalibrationPattern _pattern;
    private readonly string _path;
    private FedCabling? _cabling;
    private PatternAccumulator? _accumulator;
    private PixelAddressTables? _tables;
    private int _currentPattern = -1;
    private int _patternsDone;
    private readonly FedScanCounters _counters = new();

    private readonly PatternShard _shard;

    public FedDumpScanner(string dumpPath, FedCalibrationSetup setup) : this(dumpPath, setup, PatternShard.All)
    {
    }

    /// <param name="readBytesPerSecond">0 reads at full speed; otherwise the average read rate is kept at or below it.</param>
    /// <param name="source">Where the dump's bytes come from (default: by location, a path or a root:// URL).</param>
    public FedDumpScanner(string dumpPath, FedCalibrationSetup setup, PatternShard shard, double readBytesPerSecond = 0,
        IStorage? source = null)
    {
        _shard = shard;
        _path = dumpPath;
        _setup = setup;
        _pattern = setup.Pattern;
        NameFed = DumpFileName.TryParse(dumpPath, out var name) ? name!.Fed : null;
        var stream = (source ?? StorageByLocation.Default).OpenRead(dumpPath);
        _reader = new DumpReader(readBytesPerSecond > 0 ? new RateLimitedStream(stream, readBytesPerSecond) : stream, dumpPath);
        Run = _reader.RunNumber;
    }

    /// <summary>Reads the dump from a stream (an XRootD file, see GainCal.Storage); <paramref name="dumpName"/>
    /// is its URL or path, for the FED in its name and for messages. The stream is disposed with the scanner.</summary>
    public FedDumpScanner(Stream dump, string dumpName, FedCalibrationSetup setup, PatternShard shard)
    {
        _shard = shard;
        _path = dumpName;
        _setup = setup;
        _pattern = setup.Pattern;
        NameFed = DumpFileName.TryParse(dumpName, out var name) ? name!.Fed : null;
        _reader = new DumpReader(dump, dumpName);
        Run = _reader.RunNumber;
    }

    /// <summary>The FED whose ROCs are calibrated: the one the fragment headers name (as the reference unpacks them).</summary>
    public int Fed => _cabling?.Fed ?? NameFed ?? 0;
    public int? NameFed { get; }
    public uint Run { get; }
    public FedCabling Cabling => _cabling ?? throw new InvalidOperationException($"{_path}: no event read yet");
    public FedScanProgress Progress => new(_reader.Position, _reader.Length, _counters.Events, _patternsDone);
    public FedScanCounters Counters => _counters;
    public DumpReadReport DumpReport => _reader.Report;

    /// <summary>Called with (pattern, byte offset of its first event) as each pattern starts (<see cref="PatternIndex.Record"/>).</summary>
    public Action<int, long>? PatternStarted { get; set; }

    /// <summary>Takes the FED the fragment headers name, as the reference unpacks by the header's source id.</summary>
    private void Bind(int fed, long offset)
    {
        if (!_setup.Cabling.Contains(fed))
            throw new DumpFormatException(_path, offset, $"the fragments are of FED {fed}, which is not in the cabling map" +
                (NameFed is { } named && named != fed ? $" (the file name says FED {named})" : ""));
        _cabling = _setup.Cabling.ForFed(fed);
        _accumulator = new PatternAccumulator(_cabling.Rocs.Count, _pattern.MaxPixelsPerRoc, _pattern.PointCount);
        _tables = new PixelAddressTables(_cabling, _pattern);
    }

    /// <summary>Reads events until a pattern is complete; false at the end of the dump.</summary>
    public bool TryReadPattern([NotNullWhen(true)] out PatternCurves? curves)
    {
        while (_reader.TryReadEvent(out var ev))
        {
            if (TryAccumulate(ev, out curves)) return true;
        }
        if (_currentPattern >= 0)
            _counters.IncompletePatternEvents = _counters.Events - (long)_currentPattern * _pattern.EventsPerPattern;
        _currentPattern = -1;
        curves = null;
        return false;
    }

    private bool TryAccumulate(DumpEvent ev, [NotNullWhen(true)] out PatternCurves? curves)
    {
        curves = null;
        var e = ev.Index;
        _counters.Events++;
        if (_cabling is null) Bind(ev.FragmentCount > 0 ? ev.FedId(0) : 0, ev.Offset);
        if (e >= _pattern.ExpectedEvents)
        {
            _counters.EventsBeyondSequence++;
            return false;
        }
        var perPattern = _pattern.EventsPerPattern;
        if (e % perPattern == 0)
        {
            if (_currentPattern >= 0) _accumulator!.Clear();
            _currentPattern = _pattern.PatternOf(e);
            PatternStarted?.Invoke(_currentPattern, ev.Offset);
            if (_shard.Owns(_currentPattern)) _tables!.SelectPattern(_currentPattern);
            else _currentPattern = -1;
        }
        if (_currentPattern < 0) return false;
        var point = _pattern.VCalIndexOf(e);
        for (var f = 0; f < ev.FragmentCount; f++)
        {
            if (ev.CrcDropped(f)) continue;
            if (ev.FedId(f) != _cabling!.Fed)
            {
                _counters.ForeignFedFragments++;
                continue;
            }
            Decode(ev.Payload(f), point);
        }
        if ((e + 1) % perPattern == 0 || e + 1 == _pattern.ExpectedEvents)
        {
            curves = _accumulator!.Emit(_cabling!.Fed, _currentPattern, _pattern);
            _patternsDone++;
            _counters.PixelsEmitted += curves.PixelCount;
            _currentPattern = -1;
            return true;
        }
        return false;
    }

    private void Decode(ReadOnlySpan<ulong> payload, int point)
    {
        var words = MemoryMarshal.Cast<ulong, uint>(payload);
        var accumulator = _accumulator!;
        var tables = _tables!;
        var pointBase = accumulator.PointBase(point);
        // The accumulator adds runs of hits; each word that stops a run is counted here by kind (a zero half-word
        // only pads the 64-bit word).
        var notHits = 0;
        for (var k = accumulator.AddHits(words, 0, pointBase, tables); k < words.Length; k = accumulator.AddHits(words, k + 1, pointBase, tables))
        {
            notHits++;
            var w = words[k];
            var roc = tables.RocBase[PixelAddressTables.RocKey(w)];
            if (roc < 0)
            {
                if (w != 0) NotCabled(w);
                continue;
            }
            NotInPattern(tables.Slot[PixelAddressTables.SlotKey(roc, w)]);
        }
        _counters.Hits += words.Length - notHits;
    }

    /// <summary>Counts a word of a cabled ROC that is not a hit of the current pattern: an invalid address or another pattern's pixel.</summary>
    private void NotInPattern(int slot)
    {
        if (slot == PixelAddressTables.InvalidAddress) _counters.InvalidPixelWords++;
        else _counters.OutOfPatternHits++;
    }

    /// <summary>Counts a word whose (link, ROC field) is no cabled ROC: a filler or error word, or a hit on an uncabled ROC.</summary>
    private void NotCabled(uint w)
    {
        var kind = PixelWord.Classify(w);
        if (kind != RocField.Hit)
        {
            _counters.SpecialWords++;
            _counters.CountSpecial(kind);
            return;
        }
        _counters.UnknownRocHits++;
        _counters.RecordUnknownRoc(PixelWord.Link(w), PixelWord.Roc(w));
    }

    /// <summary>Hands back curves this scanner emitted once nothing reads them any more (their pattern is in the table):
    /// a later pattern of as many pixels is emitted into the same arrays. Safe from any thread.</summary>
    public void Recycle(PatternCurves curves) => _accumulator?.Recycle(curves);

    /// <summary>Every problem and count found so far, one line each, with the file name.</summary>
    public string ReportText => Report(_counters, _patternsDone);

    /// <summary>The report with counters gathered from every shard's scanner of this dump.</summary>
    public string Report(FedScanCounters counters, int patternsDone)
    {
        var b = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        var r = _reader.Report;
        b.AppendLine(c, $"{_path}: run {Run}, FED {Fed}, {r.Events:N0} events read ({_pattern.ExpectedEvents:N0} expected), {patternsDone} patterns fitted");
        b.AppendLine(c, $"  hits {counters.Hits:N0}, outside the pattern {counters.OutOfPatternHits:N0}, on uncabled (link, ROC) {counters.UnknownRocHits:N0}, invalid pixel address {counters.InvalidPixelWords:N0}, filler/error words {counters.SpecialWords:N0}");
        if (counters.UnknownRocHits > 0)
            b.AppendLine(c, $"  uncabled (link, ROC) seen: {string.Join(", ", counters.UnknownRocs.Take(20).Select(x => $"({x.Link}, {x.Roc})"))}");
        if (r.Truncated)
            b.AppendLine(c, $"  dump truncated at byte {r.TruncatedAt:N0}: the events before the cut are used");
        if (counters.IncompletePatternEvents > 0)
            b.AppendLine(c, $"  last pattern incomplete ({counters.IncompletePatternEvents} of {_pattern.EventsPerPattern} events): not fitted, as in the reference");
        if (counters.EventsBeyondSequence > 0)
            b.AppendLine(c, $"  {counters.EventsBeyondSequence:N0} events beyond the calibration sequence ignored");
        if (counters.ForeignFedFragments > 0)
            b.AppendLine(c, $"  {counters.ForeignFedFragments:N0} fragments of another FED ignored");
        if (NameFed is { } nf && _cabling is not null && nf != _cabling.Fed)
            b.AppendLine(c, $"  the file name says FED {nf} but {r.FedIdMismatches:N0} of {r.Fragments:N0} fragments say FED {_cabling.Fed}; calibrated as FED {_cabling.Fed}, as the reference does");
        foreach (var m in r.Messages) b.AppendLine(c, $"  {m}");
        if (r.MessagesSuppressed > 0) b.AppendLine(c, $"  ... and {r.MessagesSuppressed:N0} more problems of the kinds above (counted, not listed)");
        return b.ToString().TrimEnd();
    }

    public void Dispose() => _reader.Dispose();
}

/// <summary>Counts of what the scan saw, per kind of word, for the FED's report.</summary>
public sealed class FedScanCounters
{
    private readonly long[] _special = new long[32];
    private readonly HashSet<(int Link, int Roc)> _unknownRocs = [];

    public long Events { get; internal set; }
    public long Hits { get; internal set; }
    public long OutOfPatternHits { get; internal set; }
    public long UnknownRocHits { get; internal set; }
    public long InvalidPixelWords { get; internal set; }
    public long SpecialWords { get; internal set; }
    public long ForeignFedFragments { get; internal set; }
    public long EventsBeyondSequence { get; internal set; }
    public long IncompletePatternEvents { get; internal set; }
    public long PixelsEmitted { get; internal set; }
    public IReadOnlyCollection<(int Link, int Roc)> UnknownRocs => _unknownRocs;
    public long Special(RocField kind) => _special[(int)kind];

    internal void CountSpecial(RocField kind) => _special[(int)kind]++;

    /// <summary>Combines the counters of scanners that decoded different patterns of the same dump.</summary>
    public static FedScanCounters Combine(IEnumerable<FedScanCounters> shards)
    {
        var all = new FedScanCounters();
        foreach (var s in shards)
        {
            all.Events = Math.Max(all.Events, s.Events);
            all.EventsBeyondSequence = Math.Max(all.EventsBeyondSequence, s.EventsBeyondSequence);
            all.IncompletePatternEvents = Math.Max(all.IncompletePatternEvents, s.IncompletePatternEvents);
            all.Hits += s.Hits;
            all.OutOfPatternHits += s.OutOfPatternHits;
            all.UnknownRocHits += s.UnknownRocHits;
            all.InvalidPixelWords += s.InvalidPixelWords;
            all.SpecialWords += s.SpecialWords;
            all.ForeignFedFragments += s.ForeignFedFragments;
            all.PixelsEmitted += s.PixelsEmitted;
            for (var k = 0; k < all._special.Length; k++) all._special[k] += s._special[k];
            foreach (var (link, roc) in s.UnknownRocs) all.RecordUnknownRoc(link, roc);
        }
        return all;
    }

    internal void RecordUnknownRoc(int link, int roc)
    {
        if (_unknownRocs.Count < 1000) _unknownRocs.Add((link, roc));
    }
}
