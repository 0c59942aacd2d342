using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GainCal.Calibration;

/// <summary>
/// Per pixel and VCal point sums of one pattern, with the reference's widths: an 8-bit entry counter
/// (wraps at 256) and 32-bit unsigned sums of ADC and ADC squared. A pixel is addressed by
/// FED-local ROC index × slots per ROC + its slot in the pattern. Storage is point-major, so the
/// hits of one event (one VCal point) all land in one small contiguous block.
/// </summary>
internal sealed class PatternAccumulator
{
    private readonly int _slotsPerRoc;
    private readonly int _pixels;
    private readonly int _points;
    private readonly byte[] _entries;
    private readonly uint[] _sums;
    private readonly uint[] _sumSquares;
    // Hits per pixel over the whole pattern: tells which pixels were hit even when an 8-bit counter wrapped.
    private readonly uint[] _hits;

    public PatternAccumulator(int rocCount, int slotsPerRoc, int points)
    {
        _slotsPerRoc = slotsPerRoc;
        _points = points;
        _pixels = rocCount * slotsPerRoc;
        _entries = new byte[_pixels * points];
        _sums = new uint[_pixels * points];
        _sumSquares = new uint[_pixels * points];
        _hits = new uint[_pixels];
    }

    public int SlotsPerRoc => _slotsPerRoc;

    /// <summary>Offset of a VCal point's block, to be added to the pixel number in <see cref="Fill"/>.</summary>
    public int PointBase(int point) => point * _pixels;

    /// <summary>Adds one hit. <paramref name="pixel"/> and <paramref name="pointBase"/> come from validated lookup tables.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Fill(int pixel, int pointBase, uint adc)
    {
        var i = (nint)(uint)(pointBase + pixel);
        unchecked
        {
            Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_entries), i)++;
            Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_sums), i) += adc;
            Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_sumSquares), i) += adc * adc;
            Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_hits), (nint)(uint)pixel)++;
        }
    }

    /// <summary>Copies out the curves of every pixel hit in this pattern, ordered by (ROC index, slot), and clears them.</summary>
    public PatternCurves Emit(int fed, int pattern, CalibrationPattern layout)
    {
        var n = 0;
        foreach (var h in _hits) if (h != 0) n++;
        var rocIndex = new short[n];
        var rocRow = new byte[n];
        var rocCol = new byte[n];
        var entries = new byte[n * _points];
        var sums = new uint[n * _points];
        var sumSquares = new uint[n * _points];
        var k = 0;
        for (var pixel = 0; pixel < _pixels; pixel++)
        {
            if (_hits[pixel] == 0) continue;
            _hits[pixel] = 0;
            var (row, col) = layout.PixelOfSlot(pattern, pixel % _slotsPerRoc);
            rocIndex[k] = (short)(pixel / _slotsPerRoc);
            rocRow[k] = (byte)row;
            rocCol[k] = (byte)col;
            for (int p = 0, from = pixel, to = k * _points; p < _points; p++, from += _pixels, to++)
            {
                entries[to] = _entries[from];
                sums[to] = _sums[from];
                sumSquares[to] = _sumSquares[from];
                _entries[from] = 0;
                _sums[from] = 0;
                _sumSquares[from] = 0;
            }
            k++;
        }
        return new PatternCurves(fed, pattern, _points, rocIndex, rocRow, rocCol, entries, sums, sumSquares);
    }

    /// <summary>Forgets a pattern that will not be emitted (its last event never came).</summary>
    public void Clear()
    {
        Array.Clear(_entries);
        Array.Clear(_sums);
        Array.Clear(_sumSquares);
        Array.Clear(_hits);
    }
}
