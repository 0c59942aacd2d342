namespace GainCal.Reports;

/// <summary>A fixed-binning 1-D histogram with underflow and overflow counts.</summary>
public sealed class Histogram
{
    public Histogram(int bins, double min, double max)
    {
        if (bins <= 0 || !(max > min)) throw new ArgumentException($"bad histogram binning {bins} [{min}, {max})");
        Min = min;
        Max = max;
        Counts = new long[bins];
    }

    public double Min { get; }
    public double Max { get; }
    public long[] Counts { get; }
    public long Underflow { get; private set; }
    public long Overflow { get; private set; }
    public int Bins => Counts.Length;
    public double BinWidth => (Max - Min) / Counts.Length;
    public long Entries => Underflow + Overflow + Counts.Sum();

    public void Fill(double x)
    {
        if (double.IsNaN(x) || x >= Max) { Overflow++; return; }
        if (x < Min) { Underflow++; return; }
        var bin = (int)((x - Min) / (Max - Min) * Counts.Length);
        Counts[Math.Min(bin, Counts.Length - 1)]++;
    }
}
