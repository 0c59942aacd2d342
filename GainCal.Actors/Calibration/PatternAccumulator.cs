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

    private struct Cell
    {
        public uint Entries;
        public uint Sum;
        public uint SumSquares;
    }

    public PatternAccumulator(int rocCount, int slotsPerRoc, int points)
    {
        _slotsPerRoc = slotsPerRoc;
        _points = points;
        _pixels = rocCount * slotsPerRoc;
        _cells = new Cell[_pixels * points];
    }

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
        for (; k < words.Length; k++)
        {
            var w = Unsafe.Add(ref word, k);
            // Cabled (link, ROC) → the first pixel number of that ROC, with the layer-1 marker choosing the address table.
            // The slot is looked up whatever the ROC: any RocBase entry, -1 too, gives a key inside the table, and one
            // test of both signs then says whether the word is a hit of this pattern.
            var roc = Unsafe.Add(ref rocBase, (nint)PixelAddressTables.RocKey(w));
            int s = Unsafe.Add(ref slot, (nint)PixelAddressTables.SlotKey(roc, w));
            if ((roc | s) < 0) break;
            ref var cell = ref Unsafe.Add(ref block, (nint)(uint)((roc & PixelAddressTables.PixelMask) + s));
            var adc = w & 0xFF;
            unchecked
            {
                cell.Entries++;
                cell.Sum += adc;
                cell.SumSquares += adc * adc;
            }
        }
        return k;
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
        var cells = _cells;
        for (var k = 0; k < n; k++)
        {
            var pixel = hit[k];
            var roc = pixel / _slotsPerRoc;
            var slot = pixel - roc * _slotsPerRoc;
            rocIndex[k] = (short)roc;
            rocRow[k] = slotRow[slot];
            rocCol[k] = slotCol[slot];
            // Read and cleared in one pass: cells of pixels never hit are zero already.
            for (int p = 0, from = pixel, to = k * points; p < points; p++, from += _pixels, to++)
            {
                ref var cell = ref cells[from];
                entries[to] = (byte)cell.Entries;
                sums[to] = cell.Sum;
                sumSquares[to] = cell.SumSquares;
                cell = default;
            }
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
