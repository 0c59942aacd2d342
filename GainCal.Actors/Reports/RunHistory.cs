using GainCal.Results;
using System.Globalization;
using System.Text;

namespace GainCal.Reports;

/// <summary>One run's value of a quantity in one SUB_ group: the mean over the group's modules and its RMS.</summary>
public sealed record HistoryPoint(uint Run, string Quantity, int Group, Moments Value)
{
    public string GroupName => Subdetectors.Name(Group);
}

/// <summary>
/// Trends across runs (make_EvolutionPlots.cc): for each run, the SUB_ value (mean over the modules of a layer or of
/// a disk and ring, error bar the RMS over them) of gain, pedestal, plateau, lowest and highest fitted point, number of
/// fitted points and the good-fit fraction, plotted against the run.
/// </summary>
public static class RunHistory
{
    /// <summary>The macro's SUB_Gain, SUB_Pedestal, SUB_GainHighPoint, SUB_GainLowPoint, SUB_GainNPoints, with the
    /// plateau (GainSaturate) and the fraction of good fits (<see cref="Results.GoodFit"/>) per module.</summary>
    public static IReadOnlyList<SummaryQuantity> Quantities { get; } =
    [
        .. SummaryQuantities.All.Where(q => q.Name is "Gain" or "Pedestal" or "GainSaturate" or "GainLowPoint" or "GainHighPoint" or "GainNPoints"),
        new("frac_good_fit", "fraction of good fits", "fraction of the module's pixels", m => (double)m.GoodFitPixels / RunSummary.PixelsPerModule, _ => 0.01),
    ];

    /// <summary>The points of every run (in run order), quantity and group with at least one module.</summary>
    public static IReadOnlyList<HistoryPoint> Of(IEnumerable<RunSummary> runs)
    {
        var points = new List<HistoryPoint>();
        foreach (var s in runs.OrderBy(r => r.Run))
            foreach (var q in Quantities)
            {
                var means = Subdetectors.Means(s.ModuleList, q.Value);
                for (var g = 0; g < means.Count; g++)
                    if (means[g].Value.Count > 0) points.Add(new HistoryPoint(s.Run, q.Name, g, means[g].Value));
            }
        return points;
    }

    public static string Csv(IReadOnlyList<HistoryPoint> points)
    {
        var b = new StringBuilder("run,quantity,group,modules,mean,rms\n");
        foreach (var p in points)
            b.Append(CultureInfo.InvariantCulture, $"{p.Run},{p.Quantity},{p.GroupName},{p.Value.Count},{p.Value.Mean:R},{p.Value.Rms:R}\n");
        return b.ToString();
    }

    /// <summary>history.csv and, per quantity, HISTORY_&lt;q&gt;_barrel / _fpix_ring1 / _fpix_ring2 PNGs; returns the files written.</summary>
    public static IReadOnlyList<string> Write(IReadOnlyList<HistoryPoint> points, string directory)
    {
        Directory.CreateDirectory(directory);
        var files = new List<string>();
        var csv = Path.Combine(directory, "history.csv");
        File.WriteAllText(csv, Csv(points));
        files.Add(csv);
        var runs = points.Select(p => p.Run).Distinct().Order().ToList();
        var panels = new (string Name, string Title, int[] Groups)[]
        {
            ("barrel", "BPix layers", [0, 1, 2, 3]),
            ("fpix_ring1", "FPix ring 1, disks -3..+3", [4, 6, 8, 10, 12, 14]),
            ("fpix_ring2", "FPix ring 2, disks -3..+3", [5, 7, 9, 11, 13, 15]),
        };
        foreach (var q in Quantities)
            foreach (var (name, title, groups) in panels)
            {
                var series = groups.Select(g => (Subdetectors.Name(g),
                        runs.Select(r => points.FirstOrDefault(p => p.Run == r && p.Quantity == q.Name && p.Group == g)?.Value).ToList()))
                    .Where(s => s.Item2.Any(v => v is not null)).ToList();
                if (series.Count == 0) continue;
                var file = Path.Combine(directory, $"HISTORY_{q.Name}_{name}.png");
                var values = series.SelectMany(s => s.Item2).Where(v => v is not null).Select(v => v!.Value.Mean).Order().ToArray();
                ReportPlots.Trend(file, $"{char.ToUpperInvariant(q.Title[0])}{q.Title[1..]} per run: {title}", runs, series, q.Axis,
                    q.MinimumSpan(RobustRange.Percentile(values, 50)));
                files.Add(file);
            }
        return files;
    }
}
