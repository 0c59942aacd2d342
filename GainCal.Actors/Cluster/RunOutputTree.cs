using GainCal.Results;

namespace GainCal.Cluster;

/// <summary>What a run's output directory (&lt;output&gt;/GainRun_&lt;run&gt;) already holds.</summary>
public static class RunOutputTree
{
    /// <summary>Null when <paramref name="runDir"/> holds no results; otherwise the refusal of a `create` whose run
    /// the journal does not know: the directory's results came from a journal that is gone (deleted, replaced, another
    /// data directory), and starting afresh would silently mix or overwrite them.</summary>
    public static string? ResultsWithoutRun(uint run, string runDir)
    {
        if (!Directory.Exists(runDir)) return null;
        var found = new List<string>();
        if (File.Exists(Path.Combine(runDir, "config.json"))) found.Add("config.json");
        var fed = Path.Combine(runDir, "fed");
        var tables = Directory.Exists(fed) ? Directory.EnumerateFiles(fed, "*.parquet").Count() : 0;
        if (tables > 0) found.Add($"{tables} FED {(tables == 1 ? "table" : "tables")}");
        if (File.Exists(Path.Combine(runDir, PixelTable.MergedFileName))) found.Add(PixelTable.MergedFileName);
        return found.Count == 0
            ? null
            : $"{runDir} already holds results ({string.Join(", ", found)}) but the journal knows no run {run}: the journal " +
              "was lost or replaced; restore it (and the node's data directory), or move the directory away to compute the run anew";
    }
}
