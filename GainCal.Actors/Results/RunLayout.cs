namespace GainCal.Results;

/// <summary>Where a run's products live under its output directory (DESIGN.md 5), named once for `gaincal calibrate`,
/// the FedCalibrator, the coordinator and the aggregator: config.json, fed/&lt;FED&gt;.parquet and .txt, the merged
/// table and its summary text.</summary>
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
    public static RunLayout ForRun(string outputRoot, uint run) => new(Path.Combine(Path.GetFullPath(outputRoot), $"GainRun_{run}"));

    public string Config => Path.Combine(Directory, ConfigFileName);
    public string FedDirectory => Path.Combine(Directory, FedDirectoryName);
    public string FedTable(int fed) => Path.Combine(FedDirectory, $"{fed}.parquet");
    public string FedReport(int fed) => Path.Combine(FedDirectory, $"{fed}.txt");
    public string MergedTable => Path.Combine(Directory, PixelTable.MergedFileName);
    public string MergedSummary => Path.Combine(Directory, MergedSummaryFileName);
    public string MergedSummaryData => Path.Combine(Directory, MergedSummaryDataFileName);
    public string MergedDrift => Path.Combine(Directory, MergedDriftFileName);

    /// <summary>Writes a text product through a temporary name renamed into place: a reader never sees half of it.</summary>
    public static void WriteText(string path, string text)
    {
        var full = Path.GetFullPath(path);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + ".tmp-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            File.WriteAllText(temp, text);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
