using GainCal.Storage;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using GainCal.Detector;
using GainCal.Dump;
using GainCal.Results;

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
    private long _firstL1 = -1;
    // Realigned mode: the pattern the last event placed by its L1ID belongs to (owned or not), and that event's place.
    private int _openPattern = -1;
    private long _lastPlaced = -1;
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
        var realign = _setup.RealignEvents;
        while (_reader.TryReadEvent(out var ev))
        {
            if (realign ? TryPlaceByL1Id(ev, out curves) : TryAccumulate(ev, out curves)) return true;
        }
        if (realign && _currentPattern >= 0 && IsLastOfPattern(_lastPlaced))
        {
            curves = EmitCurrent();
            return true;
        }
        if (_currentPattern >= 0)
            _counters.IncompletePatternEvents = (realign ? _lastPlaced + 1 : _counters.Events) - (long)_currentPattern * _pattern.EventsPerPattern;
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
        NoteShift(ev);
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
        DecodeFragments(ev, _pattern.VCalIndexOf(e));
        if (IsLastOfPattern(e))
        {
            curves = EmitCurrent();
            // In reading order every pattern from the first misplaced event on is fitted at shifted VCal points.
            if (_counters.FirstShiftedEvent >= 0)
            {
                _counters.ShiftedPatterns++;
                _counters.ShiftedPixels += curves.PixelCount;
            }
            return true;
        }
        return false;
    }

    /// <summary>Accumulates the hits of the event's fragments of this FED at one VCal point (CRC-dropped fragments, as in CMSSW, are not).</summary>
    private void DecodeFragments(DumpEvent ev, int point)
    {
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
    }

    private bool IsLastOfPattern(long e) => (e + 1) % _pattern.EventsPerPattern == 0 || e + 1 == _pattern.ExpectedEvents;

    private PatternCurves EmitCurrent()
    {
        var curves = _accumulator!.Emit(_cabling!.Fed, _currentPattern, _pattern);
        _patternsDone++;
        _counters.PixelsEmitted += curves.PixelCount;
        _counters.CountLinkHits(_accumulator.EmittedEntriesByRoc, _cabling);
        _currentPattern = -1;
        return curves;
    }

    /// <summary>Notes the first event whose place in reading order differs from its place by L1ID (counted from the
    /// first event's L1ID): from there on the reading order puts events on the wrong VCal point.</summary>
    private void NoteShift(DumpEvent ev)
    {
        if (_firstL1 < 0) _firstL1 = ev.L1Id;
        if (_counters.FirstShiftedEvent < 0 && ev.L1Id - _firstL1 != ev.Index) _counters.FirstShiftedEvent = ev.Index;
    }

    /// <summary>
    /// Beyond the reference (--realign-events): the event's place in the calibration sequence is its L1ID minus the first
    /// event's, so a missing event leaves a hole at its own VCal point instead of shifting every later one. An event that
    /// repeats or goes back in L1ID is dropped. A pattern is handed out when an event of a later pattern arrives (its last
    /// events may be missing), or at the end of the dump when its last event was read.
    /// </summary>
    private bool TryPlaceByL1Id(DumpEvent ev, [NotNullWhen(true)] out PatternCurves? curves)
    {
        curves = null;
        _counters.Events++;
        if (_cabling is null) Bind(ev.FragmentCount > 0 ? ev.FedId(0) : 0, ev.Offset);
        NoteShift(ev);
        var e = ev.L1Id - _firstL1;
        if (e <= _lastPlaced)
        {
            _counters.EventsDropped++;
            return false;
        }
        _lastPlaced = e;
        var pattern = e < _pattern.ExpectedEvents ? _pattern.PatternOf(e) : _pattern.PatternCount;
        if (pattern != _openPattern)
        {
            if (_currentPattern >= 0) curves = EmitCurrent();
            _openPattern = pattern;
            if (pattern < _pattern.PatternCount)
            {
                PatternStarted?.Invoke(pattern, ev.Offset);
                if (_shard.Owns(pattern))
                {
                    _currentPattern = pattern;
                    _tables!.SelectPattern(pattern);
                }
            }
        }
        if (e >= _pattern.ExpectedEvents)
        {
            _counters.EventsBeyondSequence++;
            return curves is not null;
        }
        if (_currentPattern >= 0) DecodeFragments(ev, _pattern.VCalIndexOf(e));
        return curves is not null;
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
            NotInPattern(w, roc, tables);
        }
        _counters.Hits += words.Length - notHits;
    }

    /// <summary>Counts a word of a cabled ROC that is not a hit of the current pattern: an invalid address or another
    /// pattern's pixel; per link also whether the other word layout (layer 1 or not) would have made it a pattern hit.</summary>
    private void NotInPattern(uint w, int roc, PixelAddressTables tables)
    {
        var link = PixelWord.Link(w);
        if (tables.Slot[PixelAddressTables.SlotKey(roc, w)] == PixelAddressTables.InvalidAddress) _counters.CountInvalid(link);
        else _counters.CountOffPattern(link);
        if (tables.Slot[PixelAddressTables.SlotKey(roc ^ PixelAddressTables.Layer1Marker, w)] >= 0) _counters.CountOtherLayoutFit(link);
    }

    /// <summary>Counts a word whose (link, ROC field) is no cabled ROC: a filler or error word, or a hit on an uncabled ROC.</summary>
    private void NotCabled(uint w)
    {
        var kind = PixelWord.Classify(w);
        if (kind != RocField.Hit)
        {
            _counters.SpecialWords++;
            _counters.CountSpecial(PixelWord.Link(w), kind);
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
        if (FedReadCounts.ErrorWordText(counters) is { Length: > 0 } errors)
            b.AppendLine(c, $"  error words: {errors}");
        if (r.L1IdGaps > 0 || r.L1IdDuplicates + r.L1IdDecreases > 0)
            b.AppendLine(c, $"  L1IDs: {r.L1IdGaps:N0} gaps ({r.L1IdsMissing:N0} missing), {r.L1IdDuplicates + r.L1IdDecreases:N0} repeated or going back");
        if (counters.FirstShiftedEvent >= 0 && _setup.RealignEvents)
            b.AppendLine(c, $"  events placed on the sequence by L1ID (--realign-events) from event {counters.FirstShiftedEvent:N0} on, where reading order and L1ID part; {counters.EventsDropped:N0} repeated or late events dropped");
        else if (counters.FirstShiftedEvent >= 0)
            b.AppendLine(c, $"  from event {counters.FirstShiftedEvent:N0} on, reading order and L1ID disagree: {counters.ShiftedPatterns:N0} patterns ({counters.ShiftedPixels:N0} pixels) were fitted with events on the wrong VCal point, as in the reference");
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

/// <summary>Counts of what the scan saw, per kind of word and per link, for the FED's report.</summary>
public sealed class FedScanCounters
{
    private const int Links = 64;
    private readonly long[] _special = new long[32];
    private readonly long[] _linkSpecial = new long[Links * 32];
    private readonly long[] _linkHits = new long[Links];
    private readonly long[] _linkInvalid = new long[Links];
    private readonly long[] _linkOffPattern = new long[Links];
    private readonly long[] _linkOtherLayout = new long[Links];
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

    /// <summary>Reading index of the first event whose L1ID says it belongs elsewhere in the sequence (after a missing,
    /// repeated or reordered event); -1 if none.</summary>
    public long FirstShiftedEvent { get; internal set; } = -1;

    /// <summary>Patterns, and their pixels, fitted from events at least partly placed on the wrong VCal point (reading order).</summary>
    public int ShiftedPatterns { get; internal set; }
    public long ShiftedPixels { get; internal set; }

    /// <summary>Events dropped when placing by L1ID: they repeat or go back from an L1ID already placed.</summary>
    public long EventsDropped { get; internal set; }

    public IReadOnlyCollection<(int Link, int Roc)> UnknownRocs => _unknownRocs;
    public long Special(RocField kind) => _special[(int)kind];

    /// <summary>Filler or error words of one kind on one link.</summary>
    public long Special(int link, RocField kind) => _linkSpecial[link * 32 + (int)kind];

    /// <summary>Hits of one link in the fitted patterns (pattern entries).</summary>
    public long LinkHits(int link) => _linkHits[link];
    public long LinkInvalid(int link) => _linkInvalid[link];
    public long LinkOffPattern(int link) => _linkOffPattern[link];

    /// <summary>Of the link's invalid and off-pattern words, those that the other word layout (layer 1 or not) would
    /// have made hits of the current pattern.</summary>
    public long LinkOtherLayoutFits(int link) => _linkOtherLayout[link];

    internal void CountSpecial(int link, RocField kind)
    {
        _special[(int)kind]++;
        _linkSpecial[link * 32 + (int)kind]++;
    }

    internal void CountInvalid(int link)
    {
        InvalidPixelWords++;
        _linkInvalid[link]++;
    }

    internal void CountOffPattern(int link)
    {
        OutOfPatternHits++;
        _linkOffPattern[link]++;
    }

    internal void CountOtherLayoutFit(int link) => _linkOtherLayout[link]++;

    /// <summary>Adds a pattern's entries, summed per ROC while it was emitted, to their links' hit counts and clears them
    /// for the next pattern (per pattern, not per hit).</summary>
    internal void CountLinkHits(long[] entriesByRoc, FedCabling cabling)
    {
        for (var roc = 0; roc < entriesByRoc.Length; roc++)
        {
            _linkHits[cabling.Rocs[roc].Link] += entriesByRoc[roc];
            entriesByRoc[roc] = 0;
        }
    }

    /// <summary>Combines the counters of scanners that decoded different patterns of the same dump.</summary>
    public static FedScanCounters Combine(IEnumerable<FedScanCounters> shards)
    {
        var all = new FedScanCounters();
        foreach (var s in shards)
        {
            all.Events = Math.Max(all.Events, s.Events);
            all.EventsBeyondSequence = Math.Max(all.EventsBeyondSequence, s.EventsBeyondSequence);
            all.IncompletePatternEvents = Math.Max(all.IncompletePatternEvents, s.IncompletePatternEvents);
            all.EventsDropped = Math.Max(all.EventsDropped, s.EventsDropped);
            all.FirstShiftedEvent = Math.Max(all.FirstShiftedEvent, s.FirstShiftedEvent);
            all.Hits += s.Hits;
            all.OutOfPatternHits += s.OutOfPatternHits;
            all.UnknownRocHits += s.UnknownRocHits;
            all.InvalidPixelWords += s.InvalidPixelWords;
            all.SpecialWords += s.SpecialWords;
            all.ForeignFedFragments += s.ForeignFedFragments;
            all.PixelsEmitted += s.PixelsEmitted;
            all.ShiftedPatterns += s.ShiftedPatterns;
            all.ShiftedPixels += s.ShiftedPixels;
            for (var k = 0; k < all._special.Length; k++) all._special[k] += s._special[k];
            for (var k = 0; k < all._linkSpecial.Length; k++) all._linkSpecial[k] += s._linkSpecial[k];
            for (var k = 0; k < Links; k++)
            {
                all._linkHits[k] += s._linkHits[k];
                all._linkInvalid[k] += s._linkInvalid[k];
                all._linkOffPattern[k] += s._linkOffPattern[k];
                all._linkOtherLayout[k] += s._linkOtherLayout[k];
            }
            foreach (var (link, roc) in s.UnknownRocs) all.RecordUnknownRoc(link, roc);
        }
        return all;
    }

    internal void RecordUnknownRoc(int link, int roc)
    {
        if (_unknownRocs.Count < 1000) _unknownRocs.Add((link, roc));
    }
}
