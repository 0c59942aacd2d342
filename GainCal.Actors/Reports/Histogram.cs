using System.Text.Json.Serialization;

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

    /// <summary>A histogram as stored in a summary's JSON (for re-rendering the PDF from it).</summary>
    [JsonConstructor]
    public Histogram(double min, double max, long[] counts, long underflow, long overflow)
    {
        if (counts.Length == 0 || !(max > min)) throw new ArgumentException($"bad histogram binning {counts.Length} [{min}, {max})");
        Min = min;
        Max = max;
        Counts = counts;
        Underflow = underflow;
        Overflow = overflow;
    }

    public double Min { get; }
    public double Max { get; }
    public long[] Counts { get; }
    public long Underflow { get; private set; }
    public long Overflow { get; private set; }
    [JsonIgnore] public int Bins => Counts.Length;
    [JsonIgnore] public double BinWidth => (Max - Min) / Counts.Length;
    [JsonIgnore] public long Entries => Underflow + Overflow + Counts.Sum();

    public void Fill(double x)
    {
        if (double.IsNaN(x) || x >= Max) { Overflow++; return; }
        if (x < Min) { Underflow++; return; }
        var bin = (int)((x - Min) / (Max - Min) * Counts.Length);
        Counts[Math.Min(bin, Counts.Length - 1)]++;
    }
}

/// <summary>
/// A fixed-binning 2-D histogram (the macro's per-pixel correlation TH2Fs); entries outside the axes (or NaN) are
/// only counted. Counts are stored row by row: index = yBin * XBins + xBin.
/// </summary>
public sealed class Histogram2D
{
    public Histogram2D(string xLabel, int xBins, double xMin, double xMax, string yLabel, int yBins, double yMin, double yMax)
        : this(xLabel, xMin, xMax, yLabel, yMin, yMax, xBins, new long[Check(xBins, xMin, xMax) * Check(yBins, yMin, yMax)], 0) { }

    [JsonConstructor]
    public Histogram2D(string xLabel, double xMin, double xMax, string yLabel, double yMin, double yMax, int xBins, long[] counts, long outside)
    {
        if (xBins <= 0 || counts.Length == 0 || counts.Length % xBins != 0) throw new ArgumentException($"bad 2-D histogram binning {xBins} x {counts.Length}");
        XLabel = xLabel; XMin = xMin; XMax = xMax; YLabel = yLabel; YMin = yMin; YMax = yMax; XBins = xBins; Counts = counts; Outside = outside;
    }

    public string XLabel { get; }
    public string YLabel { get; }
    public double XMin { get; }
    public double XMax { get; }
    public double YMin { get; }
    public double YMax { get; }
    public int XBins { get; }
    public long[] Counts { get; }
    public long Outside { get; private set; }
    [JsonIgnore] public int YBins => Counts.Length / XBins;
    [JsonIgnore] public long Entries => Outside + Counts.Sum();

    public long this[int xBin, int yBin] => Counts[yBin * XBins + xBin];

    public void Fill(double x, double y)
    {
        // NaN fails both comparisons and lands outside.
        if (!(x >= XMin && x < XMax && y >= YMin && y < YMax)) { Outside++; return; }
        var bx = Math.Min((int)((x - XMin) / (XMax - XMin) * XBins), XBins - 1);
        var by = Math.Min((int)((y - YMin) / (YMax - YMin) * YBins), YBins - 1);
        Counts[by * XBins + bx]++;
    }

    private static int Check(int bins, double min, double max) =>
        bins > 0 && max > min ? bins : throw new ArgumentException($"bad histogram binning {bins} [{min}, {max})");
}
