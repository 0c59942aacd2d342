using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace GainCal.Results;

/// <summary>The Parquet layout of a <see cref="PixelTable"/>: one column per quantity, one row group per FED.</summary>
internal static class PixelTableParquet
{
    private const string RunKey = "gaincal.run";

    private static readonly DataField<short> Fed = new("fed");
    private static readonly DataField<byte> Link = new("link");
    private static readonly DataField<byte> Roc = new("roc");
    private static readonly DataField<byte> RocRow = new("row");
    private static readonly DataField<byte> RocCol = new("col");
    private static readonly DataField<uint> DetId = new("detid");
    private static readonly DataField<short> ModuleRow = new("module_row");
    private static readonly DataField<short> ModuleCol = new("module_col");
    private static readonly DataField<sbyte> Status = new("status");
    private static readonly DataField<float> Gain = new("gain");
    private static readonly DataField<float> GainError = new("gain_error");
    private static readonly DataField<float> Pedestal = new("pedestal");
    private static readonly DataField<float> PedestalError = new("pedestal_error");
    private static readonly DataField<float> Chi2Ndf = new("chi2ndf");
    private static readonly DataField<float> Probability = new("prob");
    private static readonly DataField<byte> Points = new("npoints");
    private static readonly DataField<float> Plateau = new("plateau");
    private static readonly DataField<float> LowMean = new("low_mean");
    private static readonly DataField<float> HighMean = new("high_mean");
    private static readonly DataField<float> LowPoint = new("low_point");
    private static readonly DataField<float> HighPoint = new("high_point");

    private static readonly ParquetSchema Schema = new(Fed, Link, Roc, RocRow, RocCol, DetId, ModuleRow, ModuleCol, Status,
        Gain, GainError, Pedestal, PedestalError, Chi2Ndf, Probability, Points, Plateau, LowMean, HighMean, LowPoint, HighPoint);

    private static ParquetOptions Options => new() { CompressionMethod = CompressionMethod.Snappy };

    public static async Task WriteAsync(PixelTable t, Stream stream)
    {
        await using var writer = await ParquetWriter.CreateAsync(Schema, stream, Options);
        writer.CustomMetadata = new Dictionary<string, string> { [RunKey] = t.Run.ToString(CultureInfo.InvariantCulture) };
        await WriteRowGroupAsync(writer, t);
    }

    /// <summary>Streams several tables into one file, one row group each, holding one table in memory at a time.</summary>
    public static async Task WriteAsync(uint run, IEnumerable<Func<PixelTable>> tables, Stream stream, RunCompleteness? completeness = null)
    {
        await using var writer = await ParquetWriter.CreateAsync(Schema, stream, Options);
        var metadata = new Dictionary<string, string> { [RunKey] = run.ToString(CultureInfo.InvariantCulture) };
        foreach (var (key, value) in completeness?.ToMetadata() ?? []) metadata[key] = value;
        writer.CustomMetadata = metadata;
        foreach (var load in tables) await WriteRowGroupAsync(writer, load());
    }

    private static async Task WriteRowGroupAsync(ParquetWriter writer, PixelTable t)
    {
        using var g = writer.CreateRowGroup();
        await g.WriteAsync<short>(Fed, t.Fed); await g.WriteAsync<byte>(Link, t.Link); await g.WriteAsync<byte>(Roc, t.Roc);
        await g.WriteAsync<byte>(RocRow, t.RocRow); await g.WriteAsync<byte>(RocCol, t.RocCol); await g.WriteAsync<uint>(DetId, t.DetId);
        await g.WriteAsync<short>(ModuleRow, t.ModuleRow); await g.WriteAsync<short>(ModuleCol, t.ModuleCol);
        await g.WriteAsync<sbyte>(Status, t.Status); await g.WriteAsync<float>(Gain, t.Gain); await g.WriteAsync<float>(GainError, t.GainError);
        await g.WriteAsync<float>(Pedestal, t.Pedestal); await g.WriteAsync<float>(PedestalError, t.PedestalError);
        await g.WriteAsync<float>(Chi2Ndf, t.Chi2Ndf); await g.WriteAsync<float>(Probability, t.Probability);
        await g.WriteAsync<byte>(Points, t.Points); await g.WriteAsync<float>(Plateau, t.Plateau);
        await g.WriteAsync<float>(LowMean, t.LowMean); await g.WriteAsync<float>(HighMean, t.HighMean);
        await g.WriteAsync<float>(LowPoint, t.LowPoint); await g.WriteAsync<float>(HighPoint, t.HighPoint);
    }

    /// <summary>The merge's record of the run's FEDs from the file's footer alone (no column is read).</summary>
    public static async Task<RunCompleteness?> ReadCompletenessAsync(Stream stream, string path)
    {
        await using var reader = await ParquetReader.CreateAsync(stream);
        return RunCompleteness.FromMetadata(reader.CustomMetadata, path);
    }

    public static async Task<PixelTable> ReadAsync(Stream stream)
    {
        await using var reader = await ParquetReader.CreateAsync(stream);
        var run = RunOf(reader);
        long rows = 0;
        for (var i = 0; i < reader.RowGroupCount; i++) rows += reader.RowGroups[i].RowCount;
        var t = new PixelTable(run, checked((int)rows));
        var at = 0;
        for (var i = 0; i < reader.RowGroupCount; i++)
        {
            using var g = reader.OpenRowGroupReader(i);
            var n = checked((int)g.RowCount);
            await ReadRowGroupAsync(g, t, at, n);
            at += n;
        }
        return t;
    }

    /// <summary>Each row group (one FED in a merged table) as a table of its own, one in memory at a time.</summary>
    public static async Task ReadEachAsync(Stream stream, Action<PixelTable> each)
    {
        await using var reader = await ParquetReader.CreateAsync(stream);
        var run = RunOf(reader);
        for (var i = 0; i < reader.RowGroupCount; i++)
        {
            using var g = reader.OpenRowGroupReader(i);
            var t = new PixelTable(run, checked((int)g.RowCount));
            await ReadRowGroupAsync(g, t, 0, t.RowCount);
            each(t);
        }
    }

    private static uint RunOf(ParquetReader reader) =>
        reader.CustomMetadata.TryGetValue(RunKey, out var r) ? uint.Parse(r, CultureInfo.InvariantCulture)
            : throw new InvalidDataException($"missing the '{RunKey}' metadata");

    private static async Task ReadRowGroupAsync(ParquetRowGroupReader g, PixelTable t, int at, int n)
    {
        await Read(g, Fed, t.Fed, at, n); await Read(g, Link, t.Link, at, n); await Read(g, Roc, t.Roc, at, n);
        await Read(g, RocRow, t.RocRow, at, n); await Read(g, RocCol, t.RocCol, at, n); await Read(g, DetId, t.DetId, at, n);
        await Read(g, ModuleRow, t.ModuleRow, at, n); await Read(g, ModuleCol, t.ModuleCol, at, n);
        await Read(g, Status, t.Status, at, n); await Read(g, Gain, t.Gain, at, n); await Read(g, GainError, t.GainError, at, n);
        await Read(g, Pedestal, t.Pedestal, at, n); await Read(g, PedestalError, t.PedestalError, at, n);
        await Read(g, Chi2Ndf, t.Chi2Ndf, at, n); await Read(g, Probability, t.Probability, at, n);
        await Read(g, Points, t.Points, at, n); await Read(g, Plateau, t.Plateau, at, n);
        await Read(g, LowMean, t.LowMean, at, n); await Read(g, HighMean, t.HighMean, at, n);
        await Read(g, LowPoint, t.LowPoint, at, n); await Read(g, HighPoint, t.HighPoint, at, n);
    }

    private static async ValueTask Read<T>(ParquetRowGroupReader g, DataField<T> field, T[] into, int at, int n) where T : struct
    {
        if (!g.ColumnExists(field)) throw new InvalidDataException($"missing column '{field.Name}'");
        await g.ReadAsync<T>(field, into.AsMemory(at, n));
    }
}
