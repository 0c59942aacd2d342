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
    public static RunSummary Load(string path)
    {
        if (Directory.Exists(path)) path = Path.Combine(path, PixelTable.MergedFileName);
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            return File.Exists(path) ? SummaryReport.ReadData(path) : throw new FileNotFoundException($"{path}: no such summary data", path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such results table", path);
        var stored = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, RunLayout.MergedSummaryDataFileName);
        if (Path.GetFileName(path) == PixelTable.MergedFileName && File.Exists(stored) && File.GetLastWriteTimeUtc(stored) >= File.GetLastWriteTimeUtc(path))
            return SummaryReport.ReadData(stored);
        SummaryBuilder? builder = null;
        PixelTable.ReadEach(path, t => (builder ??= new SummaryBuilder(t.Run)).Add(t));
        return builder?.Build() ?? throw new InvalidDataException($"{path}: an empty table");
    }

    /// <summary>Writes a summary's data where <see cref="Load"/> and `summary` read it (atomically).</summary>
    public static void Write(RunSummary s, string path) => RunLayout.WriteText(path, JsonSerializer.Serialize(s, SummaryReport.Json));

    public static void WriteDrift(RunDrift d, string path) => RunLayout.WriteText(path, JsonSerializer.Serialize(d, SummaryReport.Json));

    /// <summary>The merge's drift file, or null when it is absent or not of <paramref name="run"/>.</summary>
    public static RunDrift? ReadDrift(string path, uint run)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var d = JsonSerializer.Deserialize<RunDrift>(File.ReadAllText(path), SummaryReport.Json);
            return d?.Run == run ? d : null;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a drift file written by this version ({e.Message})");
        }
    }
}
