using System.Globalization;
using GainCal.Results;

namespace GainCal.Payloads;

/// <summary>
/// Per-pixel fit results in module coordinates (detid, row 0..159, column 0..415, status, gain, pedestal),
/// the content the reference uploader reads from the Gain2d / Pedestal2d / GainFitResult2d histograms.
/// Rows are grouped by module once (one index per pixel) so that each module's maps are filled without a search.
/// </summary>
public sealed class PayloadInput
{
    private readonly uint[] _detIds;
    private readonly short[] _rows;
    private readonly short[] _cols;
    private readonly sbyte[] _status;
    private readonly float[] _gain;
    private readonly float[] _pedestal;
    private readonly Dictionary<uint, int> _moduleIndex = [];
    private readonly uint[] _modules;
    private readonly int[] _start;
    private readonly int[] _order;

    private PayloadInput(string source, uint[] detIds, short[] rows, short[] cols, sbyte[] status, float[] gain, float[] pedestal)
    {
        Source = source;
        _detIds = detIds; _rows = rows; _cols = cols; _status = status; _gain = gain; _pedestal = pedestal;
        foreach (var d in detIds) _moduleIndex.TryAdd(d, 0);
        _modules = [.. _moduleIndex.Keys.Order()];
        for (int m = 0; m < _modules.Length; m++) _moduleIndex[_modules[m]] = m;
        _start = new int[_modules.Length + 1];
        foreach (var d in detIds) _start[_moduleIndex[d] + 1]++;
        for (int m = 0; m < _modules.Length; m++) _start[m + 1] += _start[m];
        var next = _start[..^1].ToArray();
        _order = new int[detIds.Length];
        for (int i = 0; i < detIds.Length; i++) _order[next[_moduleIndex[detIds[i]]]++] = i;
    }

    /// <summary>Where the pixels came from, for messages.</summary>
    public string Source { get; }
    public int PixelCount => _detIds.Length;

    /// <summary>Detids present in the input, ascending.</summary>
    public IReadOnlyList<uint> Modules => _modules;

    public bool Contains(uint detId) => _moduleIndex.ContainsKey(detId);

    public static PayloadInput FromTable(PixelTable table, string source) =>
        new(source, table.DetId, table.ModuleRow, table.ModuleCol, table.Status, table.Gain, table.Pedestal);

    /// <summary>Reads a results table (.parquet) or a CSV with the columns detid,row,col,status,gain,pedestal.</summary>
    public static PayloadInput Load(string path)
    {
        if (GainCal.Storage.StorageByLocation.Default.Stat(path) is not { IsDirectory: false })
            throw new FileNotFoundException($"{path}: no such file", path);
        if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) return ReadCsv(path);
        if (path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
        {
            var table = PixelTable.Read(path);
            for (int i = 0; i < table.RowCount; i++)
                if ((uint)table.ModuleRow[i] >= PayloadKinds.ModuleRows || (uint)table.ModuleCol[i] >= PayloadKinds.ModuleColumns)
                    throw new InvalidDataException($"{path}: row {i}: module pixel (row {table.ModuleRow[i]}, col {table.ModuleCol[i]}) outside 160 x 416");
            return FromTable(table, path);
        }
        throw new InvalidDataException($"{path}: expected a .parquet results table or a .csv pixel list");
    }

    public static readonly string[] CsvColumns = ["detid", "row", "col", "status", "gain", "pedestal"];

    /// <summary>
    /// CSV with a header naming the columns detid,row,col,status,gain,pedestal (any order, extra columns ignored).
    /// The CSV of `gaincal export` names the ROC-local pixel row,col and the module pixel module_row,module_col:
    /// when a header has module_row and module_col, those are the module coordinates. A pixel listed twice is an error.
    /// </summary>
    public static PayloadInput ReadCsv(string path)
    {
        using var reader = new StreamReader(path);
        var header = reader.ReadLine() ?? throw new InvalidDataException($"{path}: empty file, expected a header line with {string.Join(",", CsvColumns)}");
        var names = header.Split(',').Select(h => h.Trim().ToLowerInvariant()).ToArray();
        var at = new int[CsvColumns.Length];
        for (int c = 0; c < CsvColumns.Length; c++)
        {
            at[c] = Array.IndexOf(names, CsvColumns[c]);
            if (at[c] < 0) throw new InvalidDataException($"{path}: line 1: header has no '{CsvColumns[c]}' column (need {string.Join(",", CsvColumns)})");
        }
        int moduleRow = Array.IndexOf(names, "module_row"), moduleCol = Array.IndexOf(names, "module_col");
        if ((moduleRow >= 0) != (moduleCol >= 0))
            throw new InvalidDataException($"{path}: line 1: header has {(moduleRow >= 0 ? "module_row but no module_col" : "module_col but no module_row")}; give both or neither");
        if (moduleRow >= 0) (at[1], at[2]) = (moduleRow, moduleCol);
        string rowName = names[at[1]], colName = names[at[2]];
        var detIds = new List<uint>(); var rows = new List<short>(); var cols = new List<short>();
        var status = new List<sbyte>(); var gain = new List<float>(); var ped = new List<float>();
        var lines = new List<int>();
        var seen = new Dictionary<uint, ulong[]>();
        int lineNumber = 1;
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            var f = line.Split(',');
            string Field(int c) => at[c] < f.Length ? f[at[c]].Trim() : throw new InvalidDataException($"{path}: line {lineNumber}: missing '{names[at[c]]}' field");
            InvalidDataException Bad(int c, string what) => new($"{path}: line {lineNumber}: {names[at[c]]} '{Field(c)}' {what}");
            if (!uint.TryParse(Field(0), NumberStyles.None, CultureInfo.InvariantCulture, out var detId)) throw Bad(0, "is not an unsigned integer");
            if (!short.TryParse(Field(1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var row) || (uint)row >= PayloadKinds.ModuleRows) throw Bad(1, "is not a module row 0..159");
            if (!short.TryParse(Field(2), NumberStyles.Integer, CultureInfo.InvariantCulture, out var col) || (uint)col >= PayloadKinds.ModuleColumns) throw Bad(2, "is not a module column 0..415");
            if (!sbyte.TryParse(Field(3), NumberStyles.Integer, CultureInfo.InvariantCulture, out var st)) throw Bad(3, "is not a fit status");
            if (!float.TryParse(Field(4), NumberStyles.Float, CultureInfo.InvariantCulture, out var g)) throw Bad(4, "is not a number");
            if (!float.TryParse(Field(5), NumberStyles.Float, CultureInfo.InvariantCulture, out var p)) throw Bad(5, "is not a number");
            if (!seen.TryGetValue(detId, out var pixels)) seen.Add(detId, pixels = new ulong[PayloadKinds.ModuleRows * PayloadKinds.ModuleColumns / 64]);
            int bit = col * PayloadKinds.ModuleRows + row;
            if ((pixels[bit >> 6] & (1UL << bit)) != 0)
            {
                int first = lines[Enumerable.Range(0, detIds.Count).First(i => detIds[i] == detId && rows[i] == row && cols[i] == col)];
                throw new InvalidDataException($"{path}: line {lineNumber}: detid {detId} {rowName} {row} {colName} {col} is already on line {first}; each pixel must appear once");
            }
            pixels[bit >> 6] |= 1UL << bit;
            detIds.Add(detId); rows.Add(row); cols.Add(col); status.Add(st); gain.Add(g); ped.Add(p); lines.Add(lineNumber);
        }
        return new PayloadInput(path, [.. detIds], [.. rows], [.. cols], [.. status], [.. gain], [.. ped]);
    }

    /// <summary>
    /// Fills a module's maps (index col * 160 + row), as the reference reads its histograms: pixels without an
    /// entry are 0 (gain, pedestal and fit result); a pixel listed twice in a table keeps its last value.
    /// </summary>
    internal void FillModule(uint detId, Span<float> gain, Span<float> pedestal, Span<sbyte> status)
    {
        gain.Clear(); pedestal.Clear(); status.Clear();
        if (!_moduleIndex.TryGetValue(detId, out var m)) return;
        for (int k = _start[m]; k < _start[m + 1]; k++)
        {
            int i = _order[k];
            int at = _cols[i] * PayloadKinds.ModuleRows + _rows[i];
            gain[at] = _gain[i];
            pedestal[at] = _pedestal[i];
            status[at] = _status[i];
        }
    }
}
