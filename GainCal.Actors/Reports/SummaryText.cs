using GainCal.Results;
using System.Globalization;
using System.Text;

namespace GainCal.Reports;

/// <summary>The macro's text outputs: Summary_Run&lt;RUN&gt;.txt and the badFitsROCs / highGainROCs logs, same lines and rules.</summary>
public static class SummaryText
{
    /// <summary>C++ iostream default formatting of a double (6 significant digits, "nan").</summary>
    internal static string G(double x) => double.IsNaN(x) ? "nan" : x.ToString("G6", CultureInfo.InvariantCulture);

    public static string Summary(RunSummary s)
    {
        var b = new StringBuilder();
        var gm = GoodFit.GainMax.ToString(CultureInfo.InvariantCulture);
        var pm = GoodFit.PedestalMax.ToString(CultureInfo.InvariantCulture);
        var hg = RunSummary.HighGainThreshold.ToString(CultureInfo.InvariantCulture);
        static string Pct(long a, long n) => G((double)a / n * 100);
        b.Append($"Looked @ {s.Modules} modules\n");
        b.Append($"Total number of pixels with good fit : {s.GoodFitPixels} over {s.Pixels} -> {Pct(s.GoodFitPixels, s.Pixels)} %\n");
        b.Append($"In BPIX : {s.BPixGoodFitPixels} over {s.BPixPixels} -> {Pct(s.BPixGoodFitPixels, s.BPixPixels)} %\n");
        b.Append($"In FPIX : {s.FPixGoodFitPixels} over {s.FPixPixels} -> {Pct(s.FPixGoodFitPixels, s.FPixPixels)} %\n\n");
        for (var i = 0; i < RunSummary.StatusBins; i++)
            b.Append($"Number of pixels with |status| = {i} : {s.StatusCounts[i],8}\n");
        b.Append('\n');
        b.Append($"Number of  pixels with gain > {gm} || fabs(ped) > {pm} :   {s.OutlierPixels}\n");
        b.Append($"Number of  pixels with gain > {hg} :   {s.HighGainPixels}\n");
        b.Append($"Number of columns with gain > {hg} :   {s.HighGainColumns}\n");
        b.Append($"Number of    ROCs with gain > {hg} :   {s.HighGainRocs}\n\n");
        void Pair(string title, Moments[] m, bool blank)
        {
            b.Append($"{title} : \n");
            b.Append($"BPIX : {G(m[0].Mean)} +- {G(m[0].Rms)}\n");
            b.Append($"FPIX : {G(m[1].Mean)} +- {G(m[1].Rms)}\n");
            if (blank) b.Append('\n');
        }
        Pair("Gain Mean", s.Gain, false);
        Pair("Gain Error Mean", s.GainError, true);
        Pair("Pedestal Mean", s.Pedestal, false);
        Pair("Pedestal Error Mean", s.PedestalError, true);
        return b.ToString();
    }

    public static string BadFitRocLog(RunSummary s) => string.Concat(
        OrderedRocs(s).Where(r => r.InReferenceBadFitLog).Select(r => $"{r.DetId} ROC {r.Position,2} : {r.BadFits,5} pixels with bad fits\n"));

    public static string HighGainRocLog(RunSummary s) => string.Concat(
        OrderedRocs(s).Where(r => r.InReferenceHighGainLog)
            .Select(r => $"{r.DetId} ROC {r.Position,2} : {r.HighGain,5} pixels with gains > {RunSummary.HighGainThreshold.ToString(CultureInfo.InvariantCulture)}\n"));

    /// <summary>Module order then ROC position, as the macro walks them.</summary>
    private static IEnumerable<RocSummary> OrderedRocs(RunSummary s)
    {
        var order = s.ModuleList.Select((m, i) => (m.DetId, i)).ToDictionary(x => x.DetId, x => x.i);
        return s.Rocs.OrderBy(r => order[r.DetId]).ThenBy(r => r.Position);
    }
}
