using System.Globalization;

namespace GainCal.Calibration;

/// <summary>
/// Per-module VCal to electrons conversion, keyed by raw detid. Values are held at single precision,
/// as SiPixelVCal stores them (float), so the electron scale matches the reference bit for bit.
/// Text format: one "detid slope offset" per line; '#' starts a comment; blank lines ignored.
/// </summary>
public sealed class VCalTable
{
    private readonly Dictionary<uint, VCalConversion> _entries;

    public VCalTable(IEnumerable<KeyValuePair<uint, VCalConversion>> entries)
    {
        _entries = new Dictionary<uint, VCalConversion>();
        foreach (var (detId, c) in entries) _entries[detId] = AsStored(c);
    }

    public static VCalTable Empty { get; } = new([]);

    /// <summary>Where the table came from, for the operator: the file and, for a conditions file, the class, tag, IOV and archive version.</summary>
    public string Origin { get; private init; } = "default: 47 e-/VCal, -60 e- for every module";

    public int Count => _entries.Count;
    public IEnumerable<uint> DetIds => _entries.Keys;

    /// <summary>The module's conversion, or <see cref="VCalConversion.Default"/> when the detid is missing (as doFits).</summary>
    public VCalConversion For(uint detId) => _entries.TryGetValue(detId, out var c) ? c : VCalConversion.Default;

    public bool Contains(uint detId) => _entries.ContainsKey(detId);

    /// <summary>Reads a VCal table: the text form (detid slope offset per line) or a SiPixelVCal conditions file in CMSSW's format
    /// (`gaincal vcal db`, or exported from CMS; the file's only tag, its latest IOV).</summary>
    public static VCalTable Load(string path)
    {
        if (GainCal.Payloads.Conditions.ConditionsFile.IsSqlite(path))
        {
            var (tag, iov, version, stored) = GainCal.Payloads.VCalDb.ReadWithTag(path);
            return new VCalTable(stored.Select(kv => KeyValuePair.Create(kv.Key, new VCalConversion(kv.Value.Slope, kv.Value.Offset))))
            {
                Origin = $"{path}: {tag.ObjectType} of tag {tag.Name}, IOV since {iov.Since}, boost archive version {version}, {stored.Count} modules",
            };
        }
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: cannot read VCal table: {e.Message}", e);
        }
        var entries = new Dictionary<uint, VCalConversion>();
        foreach (var (line, f) in TextFields.Read(lines))
        {
            string where = $"{path}: line {line}";
            if (f.Length != 3) throw new InvalidDataException($"{where}: expected 'detid slope offset', got {f.Length} fields");
            if (!uint.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out var detId))
                throw new InvalidDataException($"{where}: detid '{f[0]}' is not an unsigned integer");
            if (!double.TryParse(f[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var slope) || !double.IsFinite(slope))
                throw new InvalidDataException($"{where}: slope '{f[1]}' is not a finite number");
            if (!double.TryParse(f[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var offset) || !double.IsFinite(offset))
                throw new InvalidDataException($"{where}: offset '{f[2]}' is not a finite number");
            if (!entries.TryAdd(detId, new VCalConversion(slope, offset)))
                throw new InvalidDataException($"{where}: detid {detId} listed twice");
        }
        return new VCalTable(entries) { Origin = $"{path}: text table, {entries.Count} modules" };
    }

    public void Save(string path)
    {
        using var w = new StreamWriter(path);
        w.WriteLine("# detid slope offset   (electrons = slope * VCal + offset)");
        foreach (var (detId, c) in _entries.OrderBy(e => e.Key))
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{detId} {(float)c.Slope:R} {(float)c.Offset:R}"));
    }

    private static VCalConversion AsStored(VCalConversion c) => new((float)c.Slope, (float)c.Offset);
}
