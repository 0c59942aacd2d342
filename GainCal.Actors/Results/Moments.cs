namespace GainCal.Results;

/// <summary>Count, mean, sum of squared deviations from the mean (M2), minimum and maximum of a set of values: the one
/// statistics value of the code base. <see cref="Add(double)"/> accumulates (Welford, double precision, no allocation);
/// <see cref="Combine"/> merges two sets exactly (Chan et al.), so a run's numbers come from its FEDs' without reading
/// the merged table back. RMS is the population one, as ROOT's TH1::GetRMS.</summary>
public struct Moments(long count, double mean, double m2, double min, double max)
{
    public long Count = count;
    public double Mean = mean;
    public double M2 = m2;
    public double Min = min;
    public double Max = max;

    /// <summary>No value yet: mean 0 and M2 0 (so that sums start there), extremes NaN.</summary>
    public static Moments Empty => new(0, 0, 0, double.NaN, double.NaN);

    public readonly double Rms => Count > 0 ? Math.Sqrt(M2 / Count) : double.NaN;

    public void Add(double x)
    {
        Count++;
        var d = x - Mean;
        Mean += d / Count;
        M2 += d * (x - Mean);
        if (Count == 1 || x < Min) Min = x;
        if (Count == 1 || x > Max) Max = x;
    }

    public readonly Moments Combine(Moments o)
    {
        if (o.Count == 0) return this;
        if (Count == 0) return o;
        var n = Count + o.Count;
        var delta = o.Mean - Mean;
        return new Moments(n, Mean + delta * o.Count / n, M2 + o.M2 + delta * delta * Count * o.Count / n,
            Math.Min(Min, o.Min), Math.Max(Max, o.Max));
    }
}
