namespace GainCal.Detector;

/// <summary>
/// The ROCs read by one FED. The position of a ROC in <see cref="Rocs"/> (ordered by link, then ROC number) is its
/// FED-local "ROC index"; <see cref="RocIndex"/> finds it with one array read, because it runs for every hit.
/// </summary>
public sealed class FedCabling
{
    /// <summary>Input channels of a Phase-1 uTCA FED (links 1..48).</summary>
    public const int MaxLinks = 48;

    /// <summary>ROCs per link the Phase-1 decoder accepts (ROC numbers 1..8).</summary>
    public const int MaxRocsPerLink = 8;

    // Address space of the raw word: 6-bit link field × 5-bit ROC field.
    private const int LinkValues = 64;
    private const int RocValues = 32;

    private readonly CabledRoc[] _rocs;
    private readonly short[] _indexByAddress;
    private readonly bool[] _layer1;

    /// <summary>Builds the FED's table; throws <see cref="ArgumentException"/> for a ROC that cannot be on this FED or a doubly used (link, ROC).</summary>
    public FedCabling(int fed, IEnumerable<CabledRoc> rocs)
    {
        Fed = fed;
        _rocs = [.. rocs.OrderBy(r => r.Link).ThenBy(r => r.Roc)];
        _indexByAddress = new short[LinkValues * RocValues];
        Array.Fill(_indexByAddress, (short)-1);
        _layer1 = new bool[_rocs.Length];
        var links = new HashSet<int>();
        for (int i = 0; i < _rocs.Length; i++)
        {
            var roc = _rocs[i];
            if (roc.Fed != fed)
                throw new ArgumentException($"FED {fed}: ROC {roc} belongs to FED {roc.Fed}", nameof(rocs));
            if (Problem(roc) is { } problem)
                throw new ArgumentException($"FED {fed}: {problem}", nameof(rocs));
            int address = Address(roc.Link, roc.Roc);
            if (_indexByAddress[address] >= 0)
                throw new ArgumentException($"FED {fed}: link {roc.Link} ROC {roc.Roc} is cabled twice", nameof(rocs));
            _indexByAddress[address] = (short)i;
            _layer1[i] = roc.IsLayer1;
            links.Add(roc.Link);
        }
        LinkCount = links.Count;
        Rocs = Array.AsReadOnly(_rocs);
        Modules = Array.AsReadOnly(_rocs.Select(r => r.DetId).Distinct().ToArray());
    }

    public int Fed { get; }

    /// <summary>Ordered by (Link, Roc); the list index is the FED-local ROC index.</summary>
    public IReadOnlyList<CabledRoc> Rocs { get; }

    /// <summary>The modules this FED reads, in ROC-index order of their first ROC.</summary>
    public IReadOnlyList<DetId> Modules { get; }

    /// <summary>Number of distinct links in use.</summary>
    public int LinkCount { get; }

    /// <summary>The ROC at a FED-local ROC index.</summary>
    public CabledRoc this[int rocIndex] => _rocs[rocIndex];

    /// <summary>FED-local ROC index of (link, ROC number) as found in a raw word; −1 if nothing is cabled there.</summary>
    public int RocIndex(int link, int roc) =>
        (uint)link < LinkValues && (uint)roc < RocValues ? _indexByAddress[Address(link, roc)] : -1;

    /// <summary>True if the ROC at this index is a BPix layer-1 ROC (direct row/col word format).</summary>
    public bool IsLayer1(int rocIndex) => _layer1[rocIndex];

    /// <summary>Why a ROC cannot be cabled on its FED, or null if it can.</summary>
    internal static string? Problem(CabledRoc roc)
    {
        if (!PixelFeds.IsPixelFed(roc.Fed)) return $"FED {roc.Fed} is not a pixel FED";
        if (roc.Link is < 1 or > MaxLinks) return $"link {roc.Link} is outside 1..{MaxLinks}";
        if (roc.Roc is < 1 or > MaxRocsPerLink) return $"ROC {roc.Roc} on link {roc.Link} is outside 1..{MaxRocsPerLink}";
        if (roc.IdInDetUnit is < 0 or >= ModuleFrame.RocsPerModule) return $"idInDetUnit {roc.IdInDetUnit} is outside 0..15";
        if (!roc.DetId.IsPhase1Module) return $"detid {roc.DetId.Raw} is not a Phase-1 pixel module";
        if (roc.DetId.IsBPix != PixelFeds.IsBPix(roc.Fed))
            return $"{roc.DetId.ModuleName} cannot be read by {(PixelFeds.IsBPix(roc.Fed) ? "BPix" : "FPix")} FED {roc.Fed}";
        return null;
    }

    private static int Address(int link, int roc) => link * RocValues + roc;
}
