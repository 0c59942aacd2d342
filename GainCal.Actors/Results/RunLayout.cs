using System.Text;
using GainCal.Storage;

namespace GainCal.Results;

/// <summary>Where a run's products live under its output directory (DESIGN.md 5), named once for `gaincal calibrate`,
/// the FedCalibrator, the coordinator and the aggregator: config.json, fed/&lt;FED&gt;.parquet and .txt, the merged
/// table and its summary text. The directory is a path or an XRootD URL: every product is written and read through
/// <see cref="StorageByLocation"/>, so no node needs to see another node's disk.</summary>
public sealed record RunLayout(string Directory)
{
    public const string ConfigFileName = "config.json";
    public const string FedDirectoryName = "fed";
    public const string MergedSummaryFileName = "GainCalibration.summary.txt";
    /// <summary>The merged run's summary data (what `summary` computes), written by the merge: the next run's drift reference.</summary>
    public const string MergedSummaryDataFileName = "GainCalibration.summary.json";
    /// <summary>The merge's comparison with its reference calibration (Reports.RunDrift as JSON), shown by `summary`.</summary>
    public const string MergedDriftFileName = "GainCalibration.drift.json";

    /// <summary>The run's directory that `create` makes under the operator's output directory, as run.py's GainRun_&lt;RUN&gt;.</summary>
    public static RunLayout ForRun(string outputRoot, uint run) =>
        new(StorageByLocation.Combine(StorageByLocation.IsRemote(outputRoot) ? XRootDUrl.Parse(outputRoot).ToString() : Path.GetFullPath(outputRoot),
            $"GainRun_{run}"));

    public bool IsRemote => StorageByLocation.IsRemote(Directory);
    public string Config => StorageByLocation.Combine(Directory, ConfigFileName);
    public string FedDirectory => StorageByLocation.Combine(Directory, FedDirectoryName);
    public string FedTable(int fed) => StorageByLocation.Combine(FedDirectory, $"{fed}.parquet");
    public string FedReport(int fed) => StorageByLocation.Combine(FedDirectory, $"{fed}.txt");
    public string MergedTable => StorageByLocation.Combine(Directory, PixelTable.MergedFileName);
    public string MergedSummary => StorageByLocation.Combine(Directory, MergedSummaryFileName);
    public string MergedSummaryData => StorageByLocation.Combine(Directory, MergedSummaryDataFileName);
    public string MergedDrift => StorageByLocation.Combine(Directory, MergedDriftFileName);

    /// <summary>Writes a text product (a path or a URL) through a temporary name renamed into place: a reader never sees half of it.</summary>
    public static void WriteText(string location, string text)
    {
        using var write = StorageByLocation.Default.BeginWrite(location);
        write.Stream.Write(Encoding.UTF8.GetBytes(text));
        write.Commit();
    }

    /// <summary>The whole text of a product at a path or URL.</summary>
    public static string ReadText(string location)
    {
        using var reader = new StreamReader(StorageByLocation.Default.OpenRead(location), Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
