using GainCal.Results;

namespace GainCal.Reports;

/// <summary>Running sums (of values and of their squares, as ROOT's histograms keep them) whose <see cref="ToMoments"/>
/// is the one <see cref="Moments"/> type; a struct so accumulators live in arrays without allocation.</summary>
internal struct MomentSums
{
    public long Count;
    public double Sum;
    public double SumSquares;
    public double Min;
    public double Max;

    public void Add(double x)
    {
        if (Count == 0) { Min = x; Max = x; }
        else
        {
            if (x < Min) Min = x;
            if (x > Max) Max = x;
        }
        Count++;
        Sum += x;
        SumSquares += x * x;
    }

    public void Add(in MomentSums other)
    {
        if (other.Count == 0) return;
        if (Count == 0) { Min = other.Min; Max = other.Max; }
        else
        {
            Min = Math.Min(Min, other.Min);
            Max = Math.Max(Max, other.Max);
        }
        Count += other.Count;
        Sum += other.Sum;
        SumSquares += other.SumSquares;
    }

    public readonly double Mean => Count == 0 ? double.NaN : Sum / Count;

    public readonly Moments ToMoments()
    {
        if (Count == 0) return new Moments(0, double.NaN, 0, double.NaN, double.NaN);
        var mean = Sum / Count;
        var variance = Math.Max(0, SumSquares / Count - mean * mean);
        return new Moments(Count, mean, variance * Count, Min, Max);
    }
}
