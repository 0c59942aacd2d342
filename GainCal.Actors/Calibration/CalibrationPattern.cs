using System.Text.Json;
using System.Text.Json.Serialization;

namespace GainCal.Calibration;

/// <summary>
/// The charge-injection sequence of a gain calibration run (domain.md 4): which VCal values are
/// scanned, how often each is triggered, and which ROC-local pixels are injected in each pattern.
/// Events are numbered 0-based in reading order; pattern = event / EventsPerPattern, column group
/// changes fastest, row group slowest.
/// </summary>
public sealed class CalibrationPattern
{
    public const int RocRows = 80;
    public const int RocColumns = 52;
    /// <summary>doFits considers at most 200 VCal points.</summary>
    public const int MaxPoints = 200;

    private readonly int[] _vcal;
    private readonly int[][] _columnGroups;
    private readonly int[][] _rowGroups;
    // Index of a column (row) inside its group, -1 when absent: [group * RocColumns + col].
    private readonly sbyte[] _columnIndex;
    private readonly sbyte[] _rowIndex;

    public CalibrationPattern(IEnumerable<int> vcalValues, int repeat,
        IEnumerable<IEnumerable<int>> columnGroups, IEnumerable<IEnumerable<int>> rowGroups)
    {
        _vcal = vcalValues.ToArray();
        _columnGroups = columnGroups.Select(g => g.ToArray()).ToArray();
        _rowGroups = rowGroups.Select(g => g.ToArray()).ToArray();
        Repeat = repeat;
        var problem = Validate(_vcal, repeat, _columnGroups, _rowGroups);
        if (problem is not null) throw new ArgumentException(problem);

        VCalValues = Array.AsReadOnly(_vcal);
        ColumnGroups = Array.AsReadOnly(_columnGroups.Select(g => (IReadOnlyList<int>)Array.AsReadOnly(g)).ToArray());
        RowGroups = Array.AsReadOnly(_rowGroups.Select(g => (IReadOnlyList<int>)Array.AsReadOnly(g)).ToArray());

        _columnIndex = BuildIndex(_columnGroups, RocColumns);
        _rowIndex = BuildIndex(_rowGroups, RocRows);
        MaxPixelsPerRoc = _columnGroups.Max(c => c.Length) * _rowGroups.Max(r => r.Length);
    }

    /// <summary>The production sequence of test/gain_calib_cfg.py (domain.md 4.1).</summary>
    public static CalibrationPattern Default { get; } = new(
        [6, 8, 10, 12, 14, 15, 16, 17, 18, 21, 24, 28, 35, 42, 49, 56, 63, 70, 77, 84, 91, 98, 105, 112, 119, 126, 133, 140, 160],
        5,
        [
            [0, 4, 8, 12, 16, 20], [24, 28, 32, 36, 40, 44], [48, 1, 5, 9, 13, 17],
            [21, 25, 29, 33, 37, 41], [45, 49, 2, 6, 10, 14], [18, 22, 26, 30, 34, 38],
            [42, 46, 50, 3, 7, 11], [15, 19, 23, 27, 31, 35], [39, 43, 47, 51],
        ],
        Enumerable.Range(0, RocRows).Select(r => new[] { r }));

    public IReadOnlyList<int> VCalValues { get; }
    public int Repeat { get; }
    public IReadOnlyList<IReadOnlyList<int>> ColumnGroups { get; }
    public IReadOnlyList<IReadOnlyList<int>> RowGroups { get; }

    public int PointCount => _vcal.Length;
    public int EventsPerPattern => _vcal.Length * Repeat;
    public int PatternCount => _columnGroups.Length * _rowGroups.Length;
    public long ExpectedEvents => (long)EventsPerPattern * PatternCount;
    /// <summary>Largest number of injected pixels of one ROC in any pattern (slot count bound).</summary>
    public int MaxPixelsPerRoc { get; }

    /// <summary>Pattern of a 0-based event index; may exceed PatternCount - 1 for events past the expected end.</summary>
    public int PatternOf(long eventIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(eventIndex);
        return (int)(eventIndex / EventsPerPattern);
    }

    public int VCalIndexOf(long eventIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(eventIndex);
        return (int)(eventIndex % EventsPerPattern / Repeat);
    }

    public int ColumnGroupOf(int pattern) => pattern % _columnGroups.Length;
    public int RowGroupOf(int pattern) => pattern / _columnGroups.Length;

    public int PixelsInPattern(int pattern)
    {
        CheckPattern(pattern);
        return _columnGroups[ColumnGroupOf(pattern)].Length * _rowGroups[RowGroupOf(pattern)].Length;
    }

    /// <summary>Slot of an injected ROC pixel in the pattern (row-major over the groups), -1 if not injected.</summary>
    public int SlotOf(int pattern, int rocRow, int rocCol)
    {
        if ((uint)rocRow >= RocRows || (uint)rocCol >= RocColumns || (uint)pattern >= (uint)PatternCount) return -1;
        int cg = pattern % _columnGroups.Length;
        int rg = pattern / _columnGroups.Length;
        int c = _columnIndex[cg * RocColumns + rocCol];
        int r = _rowIndex[rg * RocRows + rocRow];
        if ((c | r) < 0) return -1;
        return r * _columnGroups[cg].Length + c;
    }

    public (int Row, int Col) PixelOfSlot(int pattern, int slot)
    {
        CheckPattern(pattern);
        var cols = _columnGroups[ColumnGroupOf(pattern)];
        var rows = _rowGroups[RowGroupOf(pattern)];
        if ((uint)slot >= (uint)(cols.Length * rows.Length))
            throw new ArgumentOutOfRangeException(nameof(slot), slot, $"pattern {pattern} has {cols.Length * rows.Length} slots");
        return (rows[slot / cols.Length], cols[slot % cols.Length]);
    }

    /// <summary>Reads a pattern from JSON; errors name the file and the problem.</summary>
    public static CalibrationPattern Load(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: cannot read calibration pattern: {e.Message}", e);
        }
        return Parse(text, path);
    }

    public static CalibrationPattern Parse(string json, string sourceName)
    {
        PatternFile? file;
        try { file = JsonSerializer.Deserialize(json, PatternJson.Default.PatternFile); }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } l ? $" at line {l + 1}" : "";
            throw new InvalidDataException($"{sourceName}: invalid calibration pattern JSON{where}: {e.Message}", e);
        }
        if (file is null) throw new InvalidDataException($"{sourceName}: calibration pattern is empty (null)");
        if (file.VCalValues is null) throw new InvalidDataException($"{sourceName}: missing \"vcalValues\"");
        if (file.Repeat is null) throw new InvalidDataException($"{sourceName}: missing \"repeat\"");
        if (file.ColumnGroups is null) throw new InvalidDataException($"{sourceName}: missing \"columnGroups\"");
        if (file.RowGroups is null) throw new InvalidDataException($"{sourceName}: missing \"rowGroups\"");
        var cols = file.ColumnGroups.Select(g => g ?? []).ToArray();
        var rows = file.RowGroups.Select(g => g ?? []).ToArray();
        var problem = Validate(file.VCalValues, file.Repeat.Value, cols, rows);
        if (problem is not null) throw new InvalidDataException($"{sourceName}: {problem}");
        return new CalibrationPattern(file.VCalValues, file.Repeat.Value, cols, rows);
    }

    public void Save(string path) => File.WriteAllText(path, ToJson());

    public string ToJson() => JsonSerializer.Serialize(
        new PatternFile { VCalValues = _vcal, Repeat = Repeat, ColumnGroups = _columnGroups, RowGroups = _rowGroups },
        PatternJson.Default.PatternFile);

    private void CheckPattern(int pattern)
    {
        if ((uint)pattern >= (uint)PatternCount)
            throw new ArgumentOutOfRangeException(nameof(pattern), pattern, $"pattern must be in 0..{PatternCount - 1}");
    }

    private static sbyte[] BuildIndex(int[][] groups, int size)
    {
        var index = new sbyte[groups.Length * size];
        Array.Fill(index, (sbyte)-1);
        for (int g = 0; g < groups.Length; g++)
            for (int i = 0; i < groups[g].Length; i++)
                index[g * size + groups[g][i]] = (sbyte)i;
        return index;
    }

    private static string? Validate(int[] vcal, int repeat, int[][] columnGroups, int[][] rowGroups)
    {
        if (vcal.Length == 0) return "vcalValues is empty";
        if (vcal.Length > MaxPoints) return $"vcalValues has {vcal.Length} values, at most {MaxPoints} are supported";
        // The reference stores VCal values as short.
        foreach (var v in vcal)
            if (v < short.MinValue || v > short.MaxValue) return $"VCal value {v} does not fit a 16-bit DAC value";
        if (repeat < 1) return $"repeat must be >= 1, got {repeat}";
        return ValidateGroups("columnGroups", columnGroups, RocColumns) ?? ValidateGroups("rowGroups", rowGroups, RocRows);
    }

    private static string? ValidateGroups(string name, int[][] groups, int size)
    {
        if (groups.Length == 0) return $"{name} is empty";
        for (int g = 0; g < groups.Length; g++)
        {
            if (groups[g].Length == 0) return $"{name}[{g}] is empty";
            if (groups[g].Length > sbyte.MaxValue) return $"{name}[{g}] has more than {sbyte.MaxValue} entries";
            for (int i = 0; i < groups[g].Length; i++)
            {
                int v = groups[g][i];
                if ((uint)v >= (uint)size) return $"{name}[{g}] contains {v}, outside 0..{size - 1}";
                if (Array.IndexOf(groups[g], v) != i) return $"{name}[{g}] contains {v} twice";
            }
        }
        return null;
    }

    internal sealed class PatternFile
    {
        [JsonPropertyName("vcalValues")] public int[]? VCalValues { get; set; }
        public int? Repeat { get; set; }
        public int[]?[]? ColumnGroups { get; set; }
        public int[]?[]? RowGroups { get; set; }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(CalibrationPattern.PatternFile))]
internal sealed partial class PatternJson : JsonSerializerContext;
