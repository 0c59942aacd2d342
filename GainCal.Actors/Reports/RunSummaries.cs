using GainCal.Storage;
using GainCal.Results;

namespace GainCal.Reports;

/// <summary>A run's <see cref="RunSummary"/> from what its output directory holds: the stored summary when `summary` wrote
/// one, else built from its tables (the per-FED tables one at a time, or the merged table). Used by `gaincal history`,
/// `summary --reference` and the node's history page.</summary>
public static class RunSummaries
{
    /// <summary>The stored summary (summary/summary_Run&lt;RUN&gt;.json) when there is exactly one, else the tables' summary.</summary>
    public static RunSummary Of(string runDirectory, Action<string> progress)
    {
        var summaries = Path.Combine(runDirectory, TwikiPackage.SummaryDirectory);
        var stored = Directory.Exists(summaries) ? Directory.GetFiles(summaries, "summary_Run*.json") : [];
        if (stored.Length == 1)
        {
            progress($"reading {stored[0]}");
            return SummaryReport.ReadData(stored[0]);
        }
        return Summarise(Tables(runDirectory, null).Tables, null, progress);
    }

    /// <summary>A run directory (a path or URL)'s per-FED tables fed/&lt;FED&gt;.parquet (once merged, those the merge took: a
    /// failed FED's older table is left out), or else its merged table.</summary>
    public static (IReadOnlyList<string> Tables, string Source) Tables(string runDir, uint? run)
    {
        var storage = StorageByLocation.Default;
        if (storage.Stat(runDir) is not { IsDirectory: true }) throw new DirectoryNotFoundException($"{runDir}: no such run directory");
        var layout = new RunLayout(runDir);
        var merged = storage.Stat(layout.MergedTable) is not null ? PixelTable.ReadCompleteness(layout.MergedTable)?.Merged.ToHashSet() : null;
        var fedTables = storage.Stat(layout.FedDirectory) is { IsDirectory: true }
            ? storage.List(layout.FedDirectory)
                .Where(e => !e.IsDirectory && e.Name.EndsWith(".parquet", StringComparison.Ordinal)
                            && int.TryParse(Path.GetFileNameWithoutExtension(e.Name), out var fed) && (merged is null || merged.Contains(fed)))
                .Select(e => e.Location).OrderBy(f => f, StringComparer.Ordinal).ToList()
            : [];
        if (fedTables.Count > 0) return (fedTables, $"{layout.FedDirectory} ({fedTables.Count} FED tables)");
        var table = layout.MergedTable;
        if (storage.Stat(table) is null)
            throw new FileNotFoundException($"{table}: no merged results table and no fed/<FED>.parquet tables" + (run is { } r ? $" for run {r}" : ""), table);
        return ([table], table);
    }

    /// <summary>Feeds the tables one by one to the summary; a FED met twice is an error (it would be counted twice).</summary>
    public static RunSummary Summarise(IReadOnlyList<string> tables, uint? expectedRun, Action<string> progress)
    {
        SummaryBuilder? builder = null;
        var feds = new HashSet<int>();
        foreach (var path in tables)
        {
            progress($"reading {path}");
            var t = PixelTable.Read(path);
            if (expectedRun is { } r && t.Run != r) throw new InvalidDataException($"{path}: holds run {t.Run}, not run {r}");
            foreach (var fed in t.Feds())
                if (!feds.Add(fed)) throw new InvalidDataException($"{path}: FED {fed} also appears in an earlier table");
            builder ??= new SummaryBuilder(t.Run);
            progress($"summarising {t.RowCount:N0} pixels of run {t.Run}");
            builder.Add(t);
        }
        return builder!.Build();
    }
}
