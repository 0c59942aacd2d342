using GainCal.Storage;
using System.Text.Json;
using GainCal.Results;

namespace GainCal.Reports;

/// <summary>
/// A calibration's summary as a drift reference, from whatever the operator or the merge names: a summary data file
/// (summary_Run&lt;RUN&gt;.json, GainCalibration.summary.json), a run output directory or a table. A merged table
/// comes with the summary its merge wrote beside it (used when not older than the table); any other table is
/// summarised one row group (FED) at a time.
/// </summary>
public static class ReferenceSummary
{
    /// <summary>The summary of a data file, run directory or table at a path or URL (read through the storage).</summary>
    public static RunSummary Load(string path)
    {
        var storage = StorageByLocation.Default;
        if (storage.Stat(path) is { IsDirectory: true }) path = StorageByLocation.Combine(path, PixelTable.MergedFileName);
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            return storage.Stat(path) is not null ? ReadData(path) : throw new FileNotFoundException($"{path}: no such summary data", path);
        var table = storage.Stat(path) ?? throw new FileNotFoundException($"{path}: no such results table", path);
        var stored = StorageByLocation.Combine(StorageByLocation.DirectoryOf(path), RunLayout.MergedSummaryDataFileName);
        if (StorageByLocation.NameOf(path) == PixelTable.MergedFileName && storage.Stat(stored) is { } summary && summary.Modified >= table.Modified)
            return ReadData(stored);
        SummaryBuilder? builder = null;
        PixelTable.ReadEach(path, t => (builder ??= new SummaryBuilder(t.Run)).Add(t));
        return builder?.Build() ?? throw new InvalidDataException($"{path}: an empty table");
    }

    static RunSummary ReadData(string path)
    {
        try { return JsonSerializer.Deserialize<RunSummary>(RunLayout.ReadText(path), SummaryReport.Json) ?? throw new JsonException("empty"); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a summary written by this version ({e.Message})"); }
    }

    public static void Write(RunSummary s, string path) => RunLayout.WriteText(path, JsonSerializer.Serialize(s, SummaryReport.Json));

    public static void WriteDrift(RunDrift d, string path) => RunLayout.WriteText(path, JsonSerializer.Serialize(d, SummaryReport.Json));

    /// <summary>The merge's drift file, or null when it is absent or not of <paramref name="run"/>.</summary>
    public static RunDrift? ReadDrift(string path, uint run)
    {
        if (StorageByLocation.Default.Stat(path) is null) return null;
        try
        {
            var d = JsonSerializer.Deserialize<RunDrift>(RunLayout.ReadText(path), SummaryReport.Json);
            return d?.Run == run ? d : null;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a drift file written by this version ({e.Message})");
        }
    }
}
