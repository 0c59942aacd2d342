using GainCal.Payloads.Conditions;

namespace GainCal.Detector;

/// <summary>
/// The pixel cabling: for every pixel FED, which (link, ROC) reads which ROC (idInDetUnit) of which module.
/// Immutable; safe to share between threads.
/// </summary>
public sealed class CablingMap
{
    private static readonly Lazy<CablingMap> SyntheticMap = new(SyntheticCabling.Build);

    private readonly Dictionary<int, FedCabling> _feds;
    private readonly Dictionary<(DetId, int), CabledRoc> _byModuleRoc;

    /// <summary>
    /// Groups ROCs by FED; throws <see cref="ArgumentException"/> if a ROC cannot be cabled (see <see cref="FedCabling"/>)
    /// or a (module, idInDetUnit) appears twice.
    /// </summary>
    public CablingMap(IEnumerable<CabledRoc> rocs)
    {
        var all = rocs.ToList();
        _byModuleRoc = new Dictionary<(DetId, int), CabledRoc>(all.Count);
        foreach (var roc in all)
            if (!_byModuleRoc.TryAdd((roc.DetId, roc.IdInDetUnit), roc))
                throw new ArgumentException(
                    $"ROC {roc.IdInDetUnit} of {roc.DetId.ModuleName} is cabled twice (FED {_byModuleRoc[(roc.DetId, roc.IdInDetUnit)].Fed} and FED {roc.Fed})",
                    nameof(rocs));
        _feds = all.GroupBy(r => r.Fed).ToDictionary(g => g.Key, g => new FedCabling(g.Key, g));
        Feds = Array.AsReadOnly(_feds.Keys.Order().ToArray());
        RocCount = all.Count;
    }

    /// <summary>
    /// Deterministic stand-in for the real Phase-1 cabling (which lives in the conditions DB): all 108 FEDs, every
    /// module exactly once; the assignment rule is documented in docs/geometry.md. Built once, then shared.
    /// </summary>
    public static CablingMap Synthetic() => SyntheticMap.Value;

    /// <summary>
    /// Reads a cabling: a CMS conditions SQLite file holding a SiPixelFedCablingMap payload (tag
    /// <paramref name="tag"/>, or the file's only one; its latest IOV), or the text format of docs/geometry.md.
    /// Errors are <see cref="CablingFormatException"/> naming the file (and the line of a text file).
    /// </summary>
    public static CablingMap Load(string path, string? tag = null)
    {
        if (!ConditionsFile.IsSqlite(path))
        {
            if (tag is not null) throw new CablingFormatException(path, 0, $"--cabling-tag {tag} needs a conditions .db file, this is a text cabling file");
            var text = CablingFile.Read(path);
            text.Origin = $"{path}: text cabling, {text.Describe()}";
            return text;
        }
        try
        {
            var (found, iov, payload) = ConditionsDb.Read(path, tag, FedCablingPayload.ObjectType);
            var stored = FedCablingPayload.Deserialize(payload.Data, path, out uint version);
            var map = stored.ToCablingMap(path);
            map.Origin = $"{path}: {found.ObjectType} '{stored.Version}' of tag {found.Name}, IOV since {iov.Since}, boost archive version {version}, {map.Describe()}";
            return map;
        }
        catch (InvalidDataException e)
        {
            throw new CablingFormatException(path, 0, e.Message.StartsWith(path + ": ", StringComparison.Ordinal) ? e.Message[(path.Length + 2)..] : e.Message);
        }
    }

    /// <summary>Where the map came from, for the operator (the file, and for a conditions file its tag, IOV and archive version).</summary>
    public string Origin { get; private set; } = "built-in synthetic Phase-1 cabling (docs/geometry.md)";

    /// <summary>"N ROCs of M modules on K FEDs (B BPix, F FPix)".</summary>
    public string Describe() =>
        $"{RocCount} ROCs of {_byModuleRoc.Keys.Select(k => k.Item1).Distinct().Count()} modules on {Feds.Count} FEDs ({Feds.Count(PixelFeds.IsBPix)} BPix, {Feds.Count(PixelFeds.IsFPix)} FPix)";

    /// <summary>Writes the text format of docs/geometry.md; <see cref="Load"/> reads it back to an equal map.</summary>
    public void Save(string path) => CablingFile.Write(this, path);

    /// <summary>FED ids with at least one cabled ROC, ascending.</summary>
    public IReadOnlyCollection<int> Feds { get; }

    public int RocCount { get; }

    public bool Contains(int fed) => _feds.ContainsKey(fed);

    public FedCabling ForFed(int fed) =>
        _feds.TryGetValue(fed, out var cabling)
            ? cabling
            : throw new ArgumentException($"FED {fed} is not in the cabling map", nameof(fed));

    /// <summary>Where a module's ROC is read out (reverse lookup, e.g. to encode simulated hits).</summary>
    public bool TryLocate(DetId detId, int idInDetUnit, out CabledRoc? roc) =>
        _byModuleRoc.TryGetValue((detId, idInDetUnit), out roc);
}
