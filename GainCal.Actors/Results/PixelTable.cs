using GainCal.Storage;
using Parquet;
using Parquet.Schema;

namespace GainCal.Results;

/// <summary>
/// Per-pixel calibration results of one FED or of a whole run, stored column by column
/// (one array per quantity) so that building, merging and writing never touch per-row objects.
/// Rows are ordered by (FED, link, ROC, ROC row, ROC column).
/// </summary>
public sealed class PixelTable
{
    /// <summary>File name of a run's merged table in its output directory (the reference's hadd output, GainCalibration.root).</summary>
    public const string MergedFileName = "GainCalibration.parquet";

    internal readonly short[] Fed;
    internal readonly byte[] Link;
    internal readonly byte[] Roc;
    internal readonly byte[] RocRow;
    internal readonly byte[] RocCol;
    internal readonly uint[] DetId;
    internal readonly short[] ModuleRow;
    internal readonly short[] ModuleCol;
    internal readonly sbyte[] Status;
    internal readonly float[] Gain;
    internal readonly float[] GainError;
    internal readonly float[] Pedestal;
    internal readonly float[] PedestalError;
    internal readonly float[] Chi2Ndf;
    internal readonly float[] Probability;
    internal readonly byte[] Points;
    internal readonly float[] Plateau;
    internal readonly float[] LowMean;
    internal readonly float[] HighMean;
    internal readonly float[] LowPoint;
    internal readonly float[] HighPoint;

    public uint Run { get; }
    public int RowCount => Fed.Length;

    internal PixelTable(uint run, int rows)
    {
        Run = run;
        Fed = new short[rows]; Link = new byte[rows]; Roc = new byte[rows]; RocRow = new byte[rows]; RocCol = new byte[rows];
        DetId = new uint[rows]; ModuleRow = new short[rows]; ModuleCol = new short[rows]; Status = new sbyte[rows];
        Gain = new float[rows]; GainError = new float[rows]; Pedestal = new float[rows]; PedestalError = new float[rows];
        Chi2Ndf = new float[rows]; Probability = new float[rows]; Points = new byte[rows]; Plateau = new float[rows];
        LowMean = new float[rows]; HighMean = new float[rows]; LowPoint = new float[rows]; HighPoint = new float[rows];
    }

    public PixelRow this[int i] => new(Fed[i], Link[i], Roc[i], RocRow[i], RocCol[i], DetId[i], ModuleRow[i], ModuleCol[i],
        Status[i], Gain[i], GainError[i], Pedestal[i], PedestalError[i], Chi2Ndf[i], Probability[i], Points[i], Plateau[i],
        LowMean[i], HighMean[i], LowPoint[i], HighPoint[i]);

    public IEnumerable<PixelRow> Rows()
    {
        for (var i = 0; i < RowCount; i++) yield return this[i];
    }

    public IReadOnlyList<int> Feds() => Fed.Distinct().Select(f => (int)f).Order().ToList();

    /// <summary>Writes the table as Parquet to a path or URL through a temporary name that is renamed into place,
    /// so a reader never sees a half-written result.</summary>
    public void Write(string location, IStorage? storage = null)
    {
        using var write = (storage ?? StorageByLocation.Default).BeginWrite(location);
        PixelTableParquet.WriteAsync(this, write.Stream).GetAwaiter().GetResult();
        write.Commit();
    }

    /// <summary>Reads a table from a path or URL; a missing one or one that is not a table is a one-line error naming it.</summary>
    public static PixelTable Read(string location, IStorage? storage = null) =>
        ReadWith(location, storage, stream => PixelTableParquet.ReadAsync(stream).GetAwaiter().GetResult());

    /// <summary>Reads a table one row group (one FED of a merged table) at a time: memory stays that of one FED.</summary>
    public static void ReadEach(string location, Action<PixelTable> each, IStorage? storage = null) =>
        ReadWith(location, storage, stream =>
        {
            PixelTableParquet.ReadEachAsync(stream, each).GetAwaiter().GetResult();
            return 0;
        });

    /// <summary>What the merge recorded about the run's FEDs in a merged table's metadata; null for a table without
    /// that record (a FED table, or a merged table of an earlier release).</summary>
    public static RunCompleteness? ReadCompleteness(string location, IStorage? storage = null) =>
        ReadWith(location, storage, stream => PixelTableParquet.ReadCompletenessAsync(stream, location).GetAwaiter().GetResult());

    static T ReadWith<T>(string location, IStorage? storage, Func<Stream, T> read)
    {
        var source = storage ?? StorageByLocation.Default;
        if (source.Stat(location) is not { IsDirectory: false })
            throw new FileNotFoundException($"{location}: no such results file", location);
        try
        {
            // Local storage streams are unbuffered: the Parquet reader's small header reads must not each be a system call.
            using var stream = new BufferedStream(source.OpenRead(location), 1 << 16);
            return read(stream);
        }
        catch (Exception e) when (e is not FileNotFoundException and not InvalidDataException and not StorageException)
        {
            throw new InvalidDataException($"{location}: not a GainCal results table: {e.Message}", e);
        }
    }

    /// <summary>The reference's hadd: FED results cover disjoint modules, so the merge is a union, ordered by FED.</summary>
    public static PixelTable Merge(IEnumerable<PixelTable> tables)
    {
        var parts = tables.OrderBy(t => t.RowCount == 0 ? int.MaxValue : t.Fed[0]).ToList();
        var runs = parts.Select(t => t.Run).Distinct().ToList();
        if (runs.Count > 1) throw new InvalidOperationException($"cannot merge results of different runs: {string.Join(", ", runs)}");
        var seen = new HashSet<int>();
        foreach (var fed in parts.SelectMany(t => t.Feds()))
            if (!seen.Add(fed)) throw new InvalidOperationException($"FED {fed} appears in more than one table");
        var merged = new PixelTable(runs.FirstOrDefault(), parts.Sum(t => t.RowCount));
        var at = 0;
        foreach (var t in parts)
        {
            t.CopyTo(merged, at);
            at += t.RowCount;
        }
        return merged;
    }

    /// <summary>
    /// Merges FED result files into one run table without holding more than one FED in memory
    /// (a full run is ~124 M pixels). Each input becomes one row group, in ascending FED order. The run's
    /// <paramref name="completeness"/> goes into the table's metadata; <paramref name="each"/> sees every FED table as it
    /// is written (the merge's drift check summarises them without reading the merged table back).
    /// </summary>
    public static int MergeFiles(IReadOnlyList<string> inputs, string output, RunCompleteness? completeness = null, Action<PixelTable>? each = null,
        IStorage? storage = null)
    {
        var store = storage ?? StorageByLocation.Default;
        static int FedOfName(string p) => int.TryParse(Path.GetFileNameWithoutExtension(StorageByLocation.NameOf(p)), out var fed) ? fed : int.MaxValue;
        var ordered = inputs.OrderBy(FedOfName).ThenBy(p => p, StringComparer.Ordinal).ToList();
        uint? run = null;
        var seen = new HashSet<int>();
        PixelTable Load(string path)
        {
            var table = Read(path, store);
            if (run is { } r && r != table.Run) throw new InvalidOperationException($"{path}: run {table.Run}, but the other inputs are run {r}");
            run = table.Run;
            foreach (var fed in table.Feds())
                if (!seen.Add(fed)) throw new InvalidOperationException($"{path}: FED {fed} appears in more than one input");
            each?.Invoke(table);
            return table;
        }
        var first = ordered.Count > 0 ? Read(ordered[0], store) : throw new ArgumentException("no FED results to merge");
        using (var write = store.BeginWrite(output))
        {
            PixelTableParquet.WriteAsync(first.Run, ordered.Select(p => (Func<PixelTable>)(() => Load(p))), write.Stream, completeness)
                .GetAwaiter().GetResult();
            write.Commit();
        }
        return seen.Count;
    }

    private void CopyTo(PixelTable d, int at) => CopyRange(0, d, at, RowCount);

    internal void CopyRange(int from, PixelTable d, int at, int n)
    {
        Fed.AsSpan(from, n).CopyTo(d.Fed.AsSpan(at)); Link.AsSpan(from, n).CopyTo(d.Link.AsSpan(at)); Roc.AsSpan(from, n).CopyTo(d.Roc.AsSpan(at));
        RocRow.AsSpan(from, n).CopyTo(d.RocRow.AsSpan(at)); RocCol.AsSpan(from, n).CopyTo(d.RocCol.AsSpan(at)); DetId.AsSpan(from, n).CopyTo(d.DetId.AsSpan(at));
        ModuleRow.AsSpan(from, n).CopyTo(d.ModuleRow.AsSpan(at)); ModuleCol.AsSpan(from, n).CopyTo(d.ModuleCol.AsSpan(at)); Status.AsSpan(from, n).CopyTo(d.Status.AsSpan(at));
        Gain.AsSpan(from, n).CopyTo(d.Gain.AsSpan(at)); GainError.AsSpan(from, n).CopyTo(d.GainError.AsSpan(at)); Pedestal.AsSpan(from, n).CopyTo(d.Pedestal.AsSpan(at));
        PedestalError.AsSpan(from, n).CopyTo(d.PedestalError.AsSpan(at)); Chi2Ndf.AsSpan(from, n).CopyTo(d.Chi2Ndf.AsSpan(at)); Probability.AsSpan(from, n).CopyTo(d.Probability.AsSpan(at));
        Points.AsSpan(from, n).CopyTo(d.Points.AsSpan(at)); Plateau.AsSpan(from, n).CopyTo(d.Plateau.AsSpan(at)); LowMean.AsSpan(from, n).CopyTo(d.LowMean.AsSpan(at));
        HighMean.AsSpan(from, n).CopyTo(d.HighMean.AsSpan(at)); LowPoint.AsSpan(from, n).CopyTo(d.LowPoint.AsSpan(at)); HighPoint.AsSpan(from, n).CopyTo(d.HighPoint.AsSpan(at));
    }

    /// <summary>Pixel-for-pixel equality of every column (NaN equals NaN).</summary>
    public bool ContentEquals(PixelTable other) =>
        Run == other.Run && RowCount == other.RowCount &&
        Fed.AsSpan().SequenceEqual(other.Fed) && Link.AsSpan().SequenceEqual(other.Link) && Roc.AsSpan().SequenceEqual(other.Roc) &&
        RocRow.AsSpan().SequenceEqual(other.RocRow) && RocCol.AsSpan().SequenceEqual(other.RocCol) &&
        DetId.AsSpan().SequenceEqual(other.DetId) && ModuleRow.AsSpan().SequenceEqual(other.ModuleRow) &&
        ModuleCol.AsSpan().SequenceEqual(other.ModuleCol) && Status.AsSpan().SequenceEqual(other.Status) &&
        Gain.AsSpan().SequenceEqual(other.Gain) && GainError.AsSpan().SequenceEqual(other.GainError) &&
        Pedestal.AsSpan().SequenceEqual(other.Pedestal) && PedestalError.AsSpan().SequenceEqual(other.PedestalError) &&
        Chi2Ndf.AsSpan().SequenceEqual(other.Chi2Ndf) && Probability.AsSpan().SequenceEqual(other.Probability) &&
        Points.AsSpan().SequenceEqual(other.Points) && Plateau.AsSpan().SequenceEqual(other.Plateau) &&
        LowMean.AsSpan().SequenceEqual(other.LowMean) && HighMean.AsSpan().SequenceEqual(other.HighMean) &&
        LowPoint.AsSpan().SequenceEqual(other.LowPoint) && HighPoint.AsSpan().SequenceEqual(other.HighPoint);

    public PixelTableSummary Summarize() => PixelTableSummary.Of(this);

    public string Summary() => Summarize().ToString();
}

/// <summary>One pixel's result, for export and inspection (not used on hot paths).</summary>
public readonly record struct PixelRow(
    int Fed, int Link, int Roc, int RocRow, int RocCol, uint DetId, int ModuleRow, int ModuleCol,
    int Status, float Gain, float GainError, float Pedestal, float PedestalError, float Chi2Ndf, float Probability,
    int Points, float Plateau, float LowMean, float HighMean, float LowPoint, float HighPoint);
