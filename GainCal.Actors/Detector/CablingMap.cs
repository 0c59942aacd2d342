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

    /// <summary>Reads the text format of docs/geometry.md; errors are <see cref="CablingFormatException"/> naming file and line.</summary>
    public static CablingMap Load(string path) => CablingFile.Read(path);

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
