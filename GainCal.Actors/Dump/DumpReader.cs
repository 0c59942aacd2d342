using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GainCal.Dump;

/// <summary>
/// Streaming reader of a pixel .dmp file, framing events exactly as PixelDumpDataInputSource does
/// (docs/dump-format.md). One reused buffer: events are spans into it, valid until the next read.
/// When an event straddles the buffer end its fragments are moved to the front and the rest is refilled;
/// the buffer only grows for an event larger than itself.
/// </summary>
public sealed class DumpReader : IDisposable
{
    internal const int DefaultBufferBytes = 4 << 20;
    internal const int DefaultMaxFragmentWords = 1 << 20;

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly string _file;
    private readonly int _expectedFed;
    private readonly int _maxFragmentWords;
    private byte[] _bytes;
    private int _byteCount;
    private long _bufferStart;   // file offset of word 0 of the live region
    private bool _streamEnded;
    private int _pos;            // the reference's m_data: next word, not yet consumed
    private bool _haveNext;
    private Fragment[] _fragments = new Fragment[4];
    private int _fragmentCount;
    private uint _eventL1;
    private long _eventOffset;
    private long _nextIndex;
    private long _previousL1 = -1;
    private bool _pending;
    private long _cutFragmentAt = -1;
    private bool _disposed;

    public DumpReader(string path)
        : this(OpenFile(path), path, DefaultBufferBytes, DefaultMaxFragmentWords, ownsStream: true)
    {
    }

    /// <summary>The stream is disposed with the reader.</summary>
    public DumpReader(Stream stream, string fileName)
        : this(stream, fileName, DefaultBufferBytes, DefaultMaxFragmentWords, ownsStream: true)
    {
    }

    internal DumpReader(Stream stream, string fileName, int bufferBytes, int maxFragmentWords = DefaultMaxFragmentWords, bool ownsStream = true)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("dump files are little-endian; this reader needs a little-endian machine");
        if (bufferBytes < 64 || bufferBytes % 8 != 0) throw new ArgumentOutOfRangeException(nameof(bufferBytes), bufferBytes, "buffer must be a multiple of 8 bytes, at least 64");
        _stream = stream;
        _ownsStream = ownsStream;
        _file = fileName;
        _maxFragmentWords = maxFragmentWords;
        _bytes = new byte[bufferBytes];
        _expectedFed = DumpFileName.TryParse(fileName, out var name) ? name!.Fed : -1;
        Length = stream.CanSeek ? stream.Length : -1;
        try
        {
            Open();
        }
        catch
        {
            if (_ownsStream) _stream.Dispose();
            throw;
        }
    }

    /// <summary>Low 32 bits of word 0, the run-number word (0 if word 0 is an SLink header).</summary>
    public uint RunNumber { get; private set; }

    public long Length { get; }

    /// <summary>Bytes consumed so far, for progress.</summary>
    public long Position => _haveNext ? FileOffset(_pos) : Length >= 0 ? Length : _bufferStart + _byteCount;

    public DumpReadReport Report { get; } = new();

    private int WordCount => _byteCount >> 3;

    private Span<ulong> Words => MemoryMarshal.Cast<byte, ulong>(_bytes.AsSpan(0, _byteCount & ~7));

    public bool TryReadEvent(out DumpEvent ev)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_pending && !ReadEvent())
        {
            ev = default;
            return false;
        }
        _pending = false;
        ev = new DumpEvent(_nextIndex++, _eventL1, _eventOffset, Words, _fragments.AsSpan(0, _fragmentCount));
        return true;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_ownsStream) _stream.Dispose();
    }

    internal static FileStream OpenFile(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);

    /// <summary>Reads the run word and the first event so that a file that is no dump fails at once.</summary>
    private void Open()
    {
        Fill();
        if (WordCount < 2)
            throw new DumpFormatException(_file, 0, $"not a pixel dump: file too short ({_byteCount} bytes; a dump is a run-number word followed by SLink fragments)");
        ulong word0 = Words[0];
        if (SLinkWord.IsHeader(word0))
            Report.Add(_file, 0, "word 0 is an SLink header, not a run number; run number set to 0 and, as in the reference, that fragment is skipped");
        else
            RunNumber = (uint)word0;
        _pos = 1;
        _haveNext = true;
        if (!ReadEvent())
        {
            if (_cutFragmentAt >= 0)
                throw new DumpFormatException(_file, _cutFragmentAt, "not a pixel dump: the first fragment has no SLink trailer before the end of the file");
            throw new DumpFormatException(_file, 8, $"not a pixel dump: no complete SLink fragment (header ... trailer) after the run-number word in {Position} bytes");
        }
        _pending = true;
    }

    /// <summary>One event, as PixelDumpDataInputSource::setRunAndEventInfo builds it.</summary>
    private bool ReadEvent()
    {
        _fragmentCount = 0;
        while (_haveNext)
        {
            // The reference takes the event number from the word after the previous trailer, before any resync,
            // and keeps merging while the word after each trailer carries the same number.
            uint key = SLinkWord.L1Id(Words[_pos]);
            while (_haveNext)
            {
                if (!SkipToHeader()) break;
                if (!ReadFragment()) break;
                if (!EnsureNext())
                {
                    _haveNext = false;
                    break;
                }
                if (SLinkWord.L1Id(Words[_pos]) != key) break;
            }
            if (_fragmentCount > 0)
            {
                CloseEvent();
                return true;
            }
        }
        return false;
    }

    /// <summary>The reference's resynchronisation: skip words until one matches the header mask.</summary>
    private bool SkipToHeader()
    {
        if (SLinkWord.IsHeader(Words[_pos])) return true;
        long from = FileOffset(_pos);
        long skipped = 0;
        bool found = false;
        while (true)
        {
            ReadOnlySpan<ulong> w = Words;
            int i = _pos;
            while (i < w.Length && !SLinkWord.IsHeader(w[i])) i++;
            skipped += i - _pos;
            _pos = i;
            if (i < w.Length)
            {
                found = true;
                break;
            }
            if (!EnsureNext()) break;
        }
        Report.WordsSkipped += skipped;
        Report.Resyncs++;
        if (found)
        {
            Report.Add(_file, from, $"expected an SLink header: skipped {skipped} words ({skipped * 8} bytes) of garbage up to the header at byte {FileOffset(_pos)}");
            return true;
        }
        _haveNext = false;
        Report.Add(_file, from, $"expected an SLink header: skipped {skipped} words ({skipped * 8} bytes) to the end of the file without finding one");
        return false;
    }

    /// <summary>Header at _pos, then every word up to the first trailer. False if the file ends first or the fragment is oversized.</summary>
    private bool ReadFragment()
    {
        int header = _pos;
        int from = header + 1;
        int trailer;
        bool crcDropped = false;
        while (true)
        {
            ReadOnlySpan<ulong> w = Words;
            int c = FindTrailerCandidate(w, from);
            if (c >= 0)
            {
                if (SLinkWord.IsTrailer(w[c]))
                {
                    trailer = c;
                    break;
                }
                // Deliberate difference (docs/dump-format.md): a trailer whose only fault is the CRC-modified bit,
                // with a consistent length, ends the fragment instead of running on into the next event.
                if (SLinkWord.TrailerLength(w[c]) == c - header + 1)
                {
                    trailer = c;
                    crcDropped = true;
                    break;
                }
                from = c + 1;
                continue;
            }
            from = w.Length;
            if (from - header > _maxFragmentWords)
            {
                Report.OversizedFragments++;
                Report.Add(_file, FileOffset(header), $"no SLink trailer within {_maxFragmentWords} words after this header: fragment dropped, searching the next header");
                _pos = header + 1;
                return true;
            }
            if (_streamEnded)
            {
                Truncate(header);
                return false;
            }
            int shift = Refill(header);
            header -= shift;
            from -= shift;
        }
        AddFragment(header, trailer - header + 1, crcDropped);
        _pos = trailer + 1;
        return true;
    }

    private void AddFragment(int start, int words, bool crcDropped)
    {
        ReadOnlySpan<ulong> w = Words;
        ulong header = w[start];
        ulong trailer = w[start + words - 1];
        long offset = FileOffset(start);
        int fed = SLinkWord.SourceId(header);
        uint l1 = SLinkWord.L1Id(header);
        Report.Fragments++;
        // A renamed or mislabelled file differs in every fragment: said once, every fragment counted.
        if (_expectedFed >= 0 && fed != _expectedFed && Report.FedIdMismatches++ == 0)
            Report.Add(_file, offset, $"header FED id {fed} differs from FED {_expectedFed} in the file name; fragment read as FED {fed}, as the reference does");
        if (SLinkWord.TrailerLength(trailer) != words)
        {
            Report.TrailerLengthMismatches++;
            Report.Add(_file, offset, $"trailer length {SLinkWord.TrailerLength(trailer)} differs from the {words} words of the fragment (FED {fed}, L1ID {l1})");
        }
        if (crcDropped)
        {
            Report.CrcDroppedFragments++;
            Report.Add(_file, offset, $"trailer has the CRC-modified bit set (FED {fed}, L1ID {l1}): fragment kept as one fragment and flagged; CMSSW drops its pixels");
        }
        if (_fragmentCount == 0)
        {
            _eventL1 = l1;
            _eventOffset = offset;
        }
        for (int i = 0; i < _fragmentCount; i++)
        {
            if (_fragments[i].Fed != fed) continue;
            Report.L1IdDuplicates++;
            Report.Add(_file, offset, $"second fragment of FED {fed} with L1ID {l1} in one event (first at byte {_fragments[i].Offset}): it replaces the first, as in the reference");
            Array.Copy(_fragments, i + 1, _fragments, i, _fragmentCount - i - 1);
            _fragmentCount--;
            break;
        }
        if (_fragmentCount == _fragments.Length) Array.Resize(ref _fragments, _fragments.Length * 2);
        _fragments[_fragmentCount++] = new Fragment { Start = start, Words = words, Fed = fed, CrcDropped = crcDropped, Offset = offset };
    }

    private void CloseEvent()
    {
        Report.Events++;
        if (_previousL1 >= 0)
        {
            if (_eventL1 > _previousL1 + 1)
            {
                Report.L1IdGaps++;
                Report.L1IdsMissing += _eventL1 - _previousL1 - 1;
                Report.Add(_file, _eventOffset, $"L1ID jumps from {_previousL1} to {_eventL1} ({_eventL1 - _previousL1 - 1} missing); events stay in reading order as in the reference");
            }
            else if (_eventL1 == _previousL1)
            {
                Report.L1IdDuplicates++;
                Report.Add(_file, _eventOffset, $"event repeats L1ID {_eventL1}; counted as a separate event as in the reference");
            }
            else if (_eventL1 < _previousL1)
            {
                Report.L1IdDecreases++;
                Report.Add(_file, _eventOffset, $"L1ID goes back from {_previousL1} to {_eventL1}");
            }
        }
        _previousL1 = _eventL1;
    }

    private void Truncate(int header)
    {
        long at = FileOffset(header);
        _cutFragmentAt = at;
        long kept = Report.Events + (_fragmentCount > 0 ? 1 : 0);
        MarkTruncated(at);
        _haveNext = false;
        Report.Add(_file, at, $"file ends inside the fragment starting here ({WordCount - header} of its words present, no trailer): fragment dropped, {kept} complete events kept");
    }

    private void MarkTruncated(long at)
    {
        Report.TruncatedAt = Report.Truncated ? Math.Min(Report.TruncatedAt, at) : at;
        Report.Truncated = true;
    }

    /// <summary>Makes _pos a readable word, refilling if needed. False at the end of the file.</summary>
    private bool EnsureNext()
    {
        while (_pos >= WordCount)
        {
            if (_streamEnded) return false;
            _pos -= Refill(_pos);
        }
        return true;
    }

    private long FileOffset(int word) => _bufferStart + (long)word * 8;

    /// <summary>
    /// Keeps the current event's fragments (moved to the front, in order) and the words from keepFrom on,
    /// then reads more. Returns how far words at or after keepFrom moved down.
    /// </summary>
    private int Refill(int keepFrom)
    {
        Span<ulong> all = MemoryMarshal.Cast<byte, ulong>(_bytes.AsSpan());
        int dst = 0;
        for (int i = 0; i < _fragmentCount; i++)
        {
            ref Fragment f = ref _fragments[i];
            if (f.Start != dst) all.Slice(f.Start, f.Words).CopyTo(all[dst..]);
            f.Start = dst;
            dst += f.Words;
        }
        int keepBytes = _byteCount - keepFrom * 8;
        _bytes.AsSpan(keepFrom * 8, keepBytes).CopyTo(_bytes.AsSpan(dst * 8));
        int shift = keepFrom - dst;
        _bufferStart += (long)shift * 8;
        _byteCount = dst * 8 + keepBytes;
        // Growing once the kept part passes half the buffer keeps every refill at least half a buffer long.
        if (_byteCount > _bytes.Length / 2)
            Array.Resize(ref _bytes, _bytes.Length * 2);
        Fill();
        return shift;
    }

    private void Fill()
    {
        int free = _bytes.Length - _byteCount;
        int n = _stream.ReadAtLeast(_bytes.AsSpan(_byteCount, free), free, throwOnEndOfStream: false);
        _byteCount += n;
        if (n < free)
        {
            _streamEnded = true;
            int partial = _byteCount & 7;
            if (partial != 0)
            {
                long at = _bufferStart + (_byteCount & ~7);
                MarkTruncated(at);
                Report.Add(_file, at, $"file length is not a multiple of 8: the last {partial} bytes are not a whole 64-bit word and are ignored");
            }
        }
    }

    /// <summary>First index at or after from whose word matches the trailer mask with the CRC-modified bit ignored; -1 if none.</summary>
    private static int FindTrailerCandidate(ReadOnlySpan<ulong> w, int from)
    {
        const ulong mask = SLinkWord.TrailerMask & ~SLinkWord.CrcModifiedBit;
        int i = from;
        if (Vector256.IsHardwareAccelerated)
        {
            var vm = Vector256.Create(mask);
            var vv = Vector256.Create(SLinkWord.TrailerValue);
            ref ulong start = ref MemoryMarshal.GetReference(w);
            for (; i <= w.Length - 2 * Vector256<ulong>.Count; i += 2 * Vector256<ulong>.Count)
            {
                var a = Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)i) & vm, vv);
                var b = Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)(i + Vector256<ulong>.Count)) & vm, vv);
                uint bits = a.ExtractMostSignificantBits() | (b.ExtractMostSignificantBits() << Vector256<ulong>.Count);
                if (bits != 0) return i + BitOperations.TrailingZeroCount(bits);
            }
        }
        for (; i < w.Length; i++)
            if ((w[i] & mask) == SLinkWord.TrailerValue) return i;
        return -1;
    }
}
