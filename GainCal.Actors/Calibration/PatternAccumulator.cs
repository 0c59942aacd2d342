using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GainCal.Calibration;

/// <summary>
/// Per pixel and VCal point sums of one pattern, with the reference's widths: an 8-bit entry counter
/// (wraps at 256; counted in 32 bits here and cut to 8 when emitted, so that a pixel whose counter wrapped
/// is still known to be hit) and 32-bit unsigned sums of ADC and ADC squared. A pixel is addressed by
/// FED-local ROC index × slots per ROC + its slot in the pattern. Storage is point-major, so the
/// hits of one event (one VCal point) all land in one small contiguous block, and a pixel's three sums
/// sit side by side in one cell, so a hit touches one cache line.
/// </summary>
internal sealed class PatternAccumulator
{
    /// <summary>Curves kept for reuse: enough for the patterns in flight of a pipeline, of each size a FED produces.</summary>
    private const int MaxSpareCurves = 32;

    private readonly int _slotsPerRoc;
    private readonly int _pixels;
    private readonly int _points;
    private readonly Cell[] _cells;
    private readonly List<int> _hit = [];
    private readonly List<PatternCurves> _spare = [];

    /// <summary>The entry count in the low and the ADC sum in the high half of one 64-bit word, so that one addition
    /// counts a hit and adds its ADC. No carry crosses the halves: a cell holds one pattern's hits of one pixel at one
    /// point, far fewer than 2^32 (each event brings at most one fragment of the FED, of at most 2^21 pixel words); the
    /// high half wraps as the reference's 32-bit sum does.</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct Cell
    {
        public ulong EntriesAndSum;
        public uint SumSquares;

        public readonly uint Entries => (uint)EntriesAndSum;
        public readonly uint Sum => (uint)(EntriesAndSum >> 32);
    }

    public PatternAccumulator(int rocCount, int slotsPerRoc, int points)
    {
        _slotsPerRoc = slotsPerRoc;
        _points = points;
        _pixels = rocCount * slotsPerRoc;
        _cells = new Cell[_pixels * points];
        EmittedEntriesByRoc = new long[rocCount];
    }

    /// <summary>Per FED-local ROC, the 8-bit entries of the curves emitted since the caller last cleared it (the link
    /// hit counts of the FED's report, gathered while emitting instead of in a second pass over the curves).</summary>
    public long[] EmittedEntriesByRoc { get; }

    public int SlotsPerRoc => _slotsPerRoc;

    /// <summary>Offset of a VCal point's block in the sums.</summary>
    public int PointBase(int point) => point * _pixels;

    /// <summary>
    /// Adds the hits of <paramref name="words"/> from <paramref name="start"/> on, up to the first word that is not a
    /// hit of the current pattern on a cabled ROC; returns its index (words.Length when every word was added). The
    /// caller counts that word and goes on after it: the loop itself has no call and keeps everything in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int AddHits(ReadOnlySpan<uint> words, int start, int pointBase, PixelAddressTables tables)
    {
        ref var rocBase = ref MemoryMarshal.GetArrayDataReference(tables.RocBase);
        ref var slot = ref MemoryMarshal.GetArrayDataReference(tables.Slot);
        ref var block = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_cells), (nint)(uint)pointBase);
        ref var word = ref MemoryMarshal.GetReference(words);
        var k = start;
        var n = words.Length;
        // Two words per step from one 64-bit read (a payload word holds two pixel words); a pair with a word that is
        // not a hit falls to the one-word loop below, which stops at that word.
        if ((k & 1) != 0 && k < n)
        {
            var w = Unsafe.Add(ref word, k);
            var roc = Unsafe.Add(ref rocBase, (nint)PixelAddressTables.RocKey(w));
            int s = Unsafe.Add(ref slot, (nint)PixelAddressTables.SlotKey(roc, w));
            if ((roc | s) < 0) return k;
            Add(ref block, roc, s, w);
            k++;
        }
        for (; k + 1 < n; k += 2)
        {
            var pair = Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<uint, byte>(ref Unsafe.Add(ref word, k)));
            var w0 = (uint)pair;
            var w1 = (uint)(pair >> 32);
            // Cabled (link, ROC) → the first pixel number of that ROC, with the layer-1 marker choosing the address table.
            // The slot is looked up whatever the ROC: any RocBase entry, -1 too, gives a key inside the table, and one
            // test of all signs then says whether both words are hits of this pattern.
            var roc0 = Unsafe.Add(ref rocBase, (nint)PixelAddressTables.RocKey(w0));
            var roc1 = Unsafe.Add(ref rocBase, (nint)PixelAddressTables.RocKey(w1));
            int s0 = Unsafe.Add(ref slot, (nint)PixelAddressTables.SlotKey(roc0, w0));
            int s1 = Unsafe.Add(ref slot, (nint)PixelAddressTables.SlotKey(roc1, w1));
            if ((roc0 | s0 | roc1 | s1) < 0) break;
            Add(ref block, roc0, s0, w0);
            Add(ref block, roc1, s1, w1);
        }
        for (; k < n; k++)
        {
            var w = Unsafe.Add(ref word, k);
            var roc = Unsafe.Add(ref rocBase, (nint)PixelAddressTables.RocKey(w));
            int s = Unsafe.Add(ref slot, (nint)PixelAddressTables.SlotKey(roc, w));
            if ((roc | s) < 0) break;
            Add(ref block, roc, s, w);
        }
        return k;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(ref Cell block, int roc, int slot, uint word)
    {
        ref var cell = ref Unsafe.Add(ref block, (nint)(uint)((roc & PixelAddressTables.PixelMask) + slot));
        ulong adc = word & 0xFF;
        unchecked
        {
            cell.EntriesAndSum += adc << 32 | 1;
            cell.SumSquares += (uint)(adc * adc);
        }
    }

    /// <summary>Copies out the curves of every pixel hit in this pattern, ordered by (ROC index, slot), and clears them.
    /// The arrays of curves handed back through <see cref="Recycle"/> are reused when the pixel count matches.</summary>
    public PatternCurves Emit(int fed, int pattern, CalibrationPattern layout)
    {
        var hit = HitPixels();
        var n = hit.Count;
        var points = _points;
        var spare = TakeSpare(n);
        var rocIndex = spare?.RocIndex ?? new short[n];
        var rocRow = spare?.RocRow ?? new byte[n];
        var rocCol = spare?.RocCol ?? new byte[n];
        var entries = spare?.Entries ?? new byte[n * points];
        var sums = spare?.Sums ?? new uint[n * points];
        var sumSquares = spare?.SumSquares ?? new uint[n * points];
        Span<byte> slotRow = stackalloc byte[_slotsPerRoc];
        Span<byte> slotCol = stackalloc byte[_slotsPerRoc];
        for (var s = 0; s < layout.PixelsInPattern(pattern) && s < _slotsPerRoc; s++)
            (slotRow[s], slotCol[s]) = ((byte, byte))layout.PixelOfSlot(pattern, s);
        ref var cells = ref MemoryMarshal.GetArrayDataReference(_cells);
        ref var entry = ref MemoryMarshal.GetArrayDataReference(entries);
        ref var sum = ref MemoryMarshal.GetArrayDataReference(sums);
        ref var sumSquare = ref MemoryMarshal.GetArrayDataReference(sumSquares);
        var byRoc = EmittedEntriesByRoc;
        var stride = (nint)_pixels;
        for (var k = 0; k < n; k++)
        {
            var pixel = hit[k];
            var roc = pixel / _slotsPerRoc;
            var slot = pixel - roc * _slotsPerRoc;
            rocIndex[k] = (short)roc;
            rocRow[k] = slotRow[slot];
            rocCol[k] = slotCol[slot];
            // Read and cleared in one pass: cells of pixels never hit are zero already.
            var to = (nint)k * points;
            var pixelEntries = 0;
            for (nint p = 0, from = pixel; p < points; p++, from += stride, to++)
            {
                ref var cell = ref Unsafe.Add(ref cells, from);
                var e = (byte)cell.Entries;
                pixelEntries += e;
                Unsafe.Add(ref entry, to) = e;
                Unsafe.Add(ref sum, to) = cell.Sum;
                Unsafe.Add(ref sumSquare, to) = cell.SumSquares;
                cell = default;
            }
            byRoc[roc] += pixelEntries;
        }
        return new PatternCurves(fed, pattern, points, rocIndex, rocRow, rocCol, entries, sums, sumSquares);
    }

    /// <summary>Hands back curves nothing reads any more (their pattern is in the table), so that a later pattern
    /// of as many pixels fills the same arrays instead of new ones. Safe from any thread.</summary>
    public void Recycle(PatternCurves curves)
    {
        if (curves.PointCount != _points) return;
        lock (_spare)
        {
            if (_spare.Count < MaxSpareCurves) _spare.Add(curves);
        }
    }

    private PatternCurves? TakeSpare(int pixels)
    {
        lock (_spare)
        {
            for (var i = _spare.Count - 1; i >= 0; i--)
            {
                var c = _spare[i];
                if (c.PixelCount != pixels) continue;
                _spare.RemoveAt(i);
                return c;
            }
        }
        return null;
    }

    /// <summary>The pixels with at least one hit at some point, in pixel order.</summary>
    private List<int> HitPixels()
    {
        _hit.Clear();
        var cells = _cells;
        for (var pixel = 0; pixel < _pixels; pixel++)
        {
            for (var from = pixel; from < cells.Length; from += _pixels)
            {
                if (cells[from].Entries == 0) continue;
                _hit.Add(pixel);
                break;
            }
        }
        return _hit;
    }

    /// <summary>Forgets a pattern that will not be emitted (its last event never came).</summary>
    public void Clear() => Array.Clear(_cells);
}
