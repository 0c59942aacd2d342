using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GainCal.Calibration;

/// <summary>
/// Per pixel and VCal point sums of one pattern, with the reference's widths: an 8-bit entry counter
/// (wraps at 256; counted in 32 bits here and cut to 8 when emitted, so that a pixel whose counter wrapped
/// is still known to be hit) and 32-bit unsigned sums of ADC and ADC squared. A pixel is addressed by
/// FED-local ROC index × slots per ROC + its slot in the pattern. Storage is point-major, so the
/// hits of one event (one VCal point) all land in one small contiguous block.
/// </summary>
internal sealed class PatternAccumulator
{
    private readonly int _slotsPerRoc;
    private readonly int _pixels;
    private readonly int _points;
    private readonly uint[] _entries;
    private readonly uint[] _sums;
    private readonly uint[] _sumSquares;
    private readonly List<int> _hit = [];

    public PatternAccumulator(int rocCount, int slotsPerRoc, int points)
    {
        _slotsPerRoc = slotsPerRoc;
        _points = points;
        _pixels = rocCount * slotsPerRoc;
        _entries = new uint[_pixels * points];
        _sums = new uint[_pixels * points];
        _sumSquares = new uint[_pixels * points];
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
        ref var entries = ref MemoryMarshal.GetArrayDataReference(_entries);
        ref var sums = ref MemoryMarshal.GetArrayDataReference(_sums);
        ref var sumSquares = ref MemoryMarshal.GetArrayDataReference(_sumSquares);
        ref var word = ref MemoryMarshal.GetReference(words);
        var k = start;
        for (; k < words.Length; k++)
        {
            var w = Unsafe.Add(ref word, k);
            // Cabled (link, ROC) → the first pixel number of that ROC, with the layer-1 marker choosing the address table.
            var roc = Unsafe.Add(ref rocBase, (nint)PixelAddressTables.RocKey(w));
            if (roc < 0) break;
            var s = Unsafe.Add(ref slot, (nint)PixelAddressTables.SlotKey(roc, w));
            if (s < 0) break;
            var i = (nint)(uint)(pointBase + (roc & PixelAddressTables.PixelMask) + s);
            var adc = w & 0xFF;
            unchecked
            {
                Unsafe.Add(ref entries, i)++;
                Unsafe.Add(ref sums, i) += adc;
                Unsafe.Add(ref sumSquares, i) += adc * adc;
            }
        }
        return k;
    }

    /// <summary>Copies out the curves of every pixel hit in this pattern, ordered by (ROC index, slot), and clears them.</summary>
    public PatternCurves Emit(int fed, int pattern, CalibrationPattern layout)
    {
        var hit = HitPixels();
        var n = hit.Count;
        var rocIndex = new short[n];
        var rocRow = new byte[n];
        var rocCol = new byte[n];
        var entries = new byte[n * _points];
        var sums = new uint[n * _points];
        var sumSquares = new uint[n * _points];
        for (var k = 0; k < n; k++)
        {
            var pixel = hit[k];
            var (row, col) = layout.PixelOfSlot(pattern, pixel % _slotsPerRoc);
            rocIndex[k] = (short)(pixel / _slotsPerRoc);
            rocRow[k] = (byte)row;
            rocCol[k] = (byte)col;
            for (int p = 0, from = pixel, to = k * _points; p < _points; p++, from += _pixels, to++)
            {
                entries[to] = (byte)_entries[from];
                sums[to] = _sums[from];
                sumSquares[to] = _sumSquares[from];
            }
        }
        Clear();
        return new PatternCurves(fed, pattern, _points, rocIndex, rocRow, rocCol, entries, sums, sumSquares);
    }

    /// <summary>The pixels with at least one hit at some point, in pixel order.</summary>
    private List<int> HitPixels()
    {
        _hit.Clear();
        for (var pixel = 0; pixel < _pixels; pixel++)
        {
            for (var from = pixel; from < _entries.Length; from += _pixels)
            {
                if (_entries[from] == 0) continue;
                _hit.Add(pixel);
                break;
            }
        }
        return _hit;
    }

    /// <summary>Forgets a pattern that will not be emitted (its last event never came).</summary>
    public void Clear()
    {
        Array.Clear(_entries);
        Array.Clear(_sums);
        Array.Clear(_sumSquares);
    }
}
