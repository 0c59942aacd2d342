using System.Globalization;
using System.Text;
using GainCal.Calibration;

namespace GainCal.Results;

/// <summary>
/// The numbers of the reference's Summary.txt: pixels per fit status, gain and pedestal statistics over status &gt; 0
/// (as the job's Summary.txt), and the good fits (<see cref="GoodFit"/>) as the run summary counts them.
/// </summary>
public sealed record PixelTableSummary(
    int Pixels, int PixelsWithData, IReadOnlyDictionary<FitStatus, int> StatusCounts,
    Moments Gain, Moments Pedestal, int Good)
{
    internal static PixelTableSummary Of(PixelTable t)
    {
        var counts = new Dictionary<FitStatus, int>();
        var gain = Moments.Empty;
        var pedestal = Moments.Empty;
        int withData = 0, good = 0;
        for (var i = 0; i < t.RowCount; i++)
        {
            var s = (FitStatus)t.Status[i];
            counts[s] = counts.GetValueOrDefault(s) + 1;
            if (s != FitStatus.NoStatus) withData++;
            if (GoodFit.Is(t.Status[i], t.Gain[i], t.Pedestal[i])) good++;
            if (t.Status[i] > 0)
            {
                gain.Add(t.Gain[i]);
                pedestal.Add(t.Pedestal[i]);
            }
        }
        return new PixelTableSummary(t.RowCount, withData, counts, gain, pedestal, good);
    }

    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        var b = new StringBuilder();
        b.AppendLine(c, $"pixels: {Pixels:N0} ({PixelsWithData:N0} with data), good fits {Good:N0} = {Percent(Good, Pixels)} ({GoodFit.Definition})");
        foreach (var (status, n) in StatusCounts.OrderByDescending(kv => kv.Value))
            b.AppendLine(c, $"  status {(int)status,3}  {n,12:N0}  {Percent(n, Pixels),8}  {FitStatusText.Describe(status, FitSettings.Production)}");
        if (Gain.Count == 0)
        {
            b.Append("gain, pedestal: no good fit to describe");
            return b.ToString();
        }
        b.AppendLine(c, $"gain     [e-/ADC]: mean {Gain.Mean,8:F2}  rms {Gain.Rms,7:F2}  min {Gain.Min,8:F2}  max {Gain.Max,8:F2}");
        b.Append(c, $"pedestal [ADC]   : mean {Pedestal.Mean,8:F2}  rms {Pedestal.Rms,7:F2}  min {Pedestal.Min,8:F2}  max {Pedestal.Max,8:F2}");
        return b.ToString();
    }

    private static string Percent(int n, int of) => of == 0 ? "-" : (100.0 * n / of).ToString("F3", CultureInfo.InvariantCulture) + "%";
}
