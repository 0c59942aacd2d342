using System.Runtime.CompilerServices;

namespace GainCal.Calibration;

/// <summary>
/// Per pixel and VCal point sums of one pattern, with the reference's widths: an 8-bit entry counter
/// (wraps at 256) and 32-bit unsigned sums of ADC and ADC squared. Pixels are addressed by FED-local
/// ROC index and their slot in the pattern, so the table is small and stays in cache.
/// </summary>
internal sealed class PatternAccumulator
{
    private readonly int _slotsPerRoc;
    private readonly int _points;
    private readonly byte[] _entries;
    private readonly uint[] _sums;
    private readonly uint[] _sumSquares;
    private readonly bool[] _touched;
    private readonly List<int> _touchedPixels = [];

    public PatternAccumulator(int rocCount, int slotsPerRoc, int points)
    {
        _slotsPerRoc = slotsPerRoc;
        _points = points;
        var pixels = rocCount * slotsPerRoc;
        _entries = new byte[pixels * points];
        _sums = new uint[pixels * points];
        _sumSquares = new uint[pixels * points];
        _touched = new bool[pixels];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Fill(int rocIndex, int slot, int point, int adc)
    {
        var pixel = rocIndex * _slotsPerRoc + slot;
        if (!_touched[pixel])
        {
            _touched[pixel] = true;
            _touchedPixels.Add(pixel);
        }
        var i = pixel * _points + point;
        unchecked
        {
            _entries[i]++;
            _sums[i] += (uint)adc;
            _sumSquares[i] += (uint)(adc * adc);
        }
    }

    /// <summary>Copies out the curves of every pixel hit in this pattern, ordered by (ROC index, slot).</summary>
    public PatternCurves Emit(int fed, int pattern, CalibrationPattern layout)
    {
        _touchedPixels.Sort();
        var n = _touchedPixels.Count;
        var rocIndex = new short[n];
        var rocRow = new byte[n];
        var rocCol = new byte[n];
        var entries = new byte[n * _points];
        var sums = new uint[n * _points];
        var sumSquares = new uint[n * _points];
        for (var k = 0; k < n; k++)
        {
            var pixel = _touchedPixels[k];
            var (row, col) = layout.PixelOfSlot(pattern, pixel % _slotsPerRoc);
            rocIndex[k] = (short)(pixel / _slotsPerRoc);
            rocRow[k] = (byte)row;
            rocCol[k] = (byte)col;
            var from = pixel * _points;
            _entries.AsSpan(from, _points).CopyTo(entries.AsSpan(k * _points));
            _sums.AsSpan(from, _points).CopyTo(sums.AsSpan(k * _points));
            _sumSquares.AsSpan(from, _points).CopyTo(sumSquares.AsSpan(k * _points));
        }
        return new PatternCurves(fed, pattern, _points, rocIndex, rocRow, rocCol, entries, sums, sumSquares);
    }

    public void Clear()
    {
        foreach (var pixel in _touchedPixels)
        {
            _touched[pixel] = false;
            var from = pixel * _points;
            _entries.AsSpan(from, _points).Clear();
            _sums.AsSpan(from, _points).Clear();
            _sumSquares.AsSpan(from, _points).Clear();
        }
        _touchedPixels.Clear();
    }
}
