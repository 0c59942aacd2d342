using GainCal.Results;
using GainCal.Storage;

namespace GainCal.Cluster;

/// <summary>What a run's output directory (&lt;output&gt;/GainRun_&lt;run&gt;) already holds.</summary>
public static class RunOutputTree
{
    /// <summary>Null when <paramref name="runDir"/> holds no results; otherwise the refusal of a `create` whose run
    /// the journal does not know: the directory's results came from a journal that is gone (deleted, replaced, another
    /// data directory), and starting afresh would silently mix or overwrite them.</summary>
    public static string? ResultsWithoutRun(uint run, string runDir)
    {
        var storage = StorageByLocation.Default;
        try
        {
            return Describe(run, runDir, storage);
        }
        catch (StorageException e)
        {
            return $"cannot look into the output directory: {e.Message}";
        }
    }

    static string? Describe(uint run, string runDir, IStorage storage)
    {
        if (storage.Stat(runDir) is not { IsDirectory: true }) return null;
        var layout = new RunLayout(runDir);
        var found = new List<string>();
        if (storage.Stat(layout.Config) is not null) found.Add(RunLayout.ConfigFileName);
        var tables = storage.Stat(layout.FedDirectory) is { IsDirectory: true }
            ? storage.List(layout.FedDirectory).Count(e => !e.IsDirectory && e.Name.EndsWith(".parquet", StringComparison.Ordinal))
            : 0;
        if (tables > 0) found.Add($"{tables} FED {(tables == 1 ? "table" : "tables")}");
        if (storage.Stat(layout.MergedTable) is not null) found.Add(PixelTable.MergedFileName);
        return found.Count == 0
            ? null
            : $"{runDir} already holds results ({string.Join(", ", found)}) but the journal knows no run {run}: the journal " +
              "was lost or replaced; restore it (and the node's data directory), or move the directory away to compute the run anew";
    }
}
