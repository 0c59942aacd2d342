using GainCal.Payloads.Conditions;

namespace GainCal.Detector;

/// <summary>SiPixelFedCablingMap::Key: a ROC's readout address, ordered by FED, then link, then ROC.</summary>
public readonly record struct CablingKey(uint Fed, uint Link, uint Roc) : IComparable<CablingKey>
{
    public int CompareTo(CablingKey other) =>
        Fed != other.Fed ? Fed.CompareTo(other.Fed) : Link != other.Link ? Link.CompareTo(other.Link) : Roc.CompareTo(other.Roc);

    public override string ToString() => $"FED {Fed} link {Link} ROC {Roc}";
}

/// <summary>The stored members of sipixelobjects::PixelROC: the module (theDetUnit), the ROC's index in it
/// (theIdDU, 0..15) and its position on the link (theIdLk); the frame converter is transient.</summary>
public readonly record struct StoredPixelRoc(uint DetUnit, uint IdInDetUnit, uint IdInLink);

/// <summary>
/// The SiPixelFedCablingMap conditions object: base SiPixelFedCabling (no members), theVersion, and theMap from
/// (FED, link, ROC) to the ROC it reads. Converts to and from <see cref="CablingMap"/>.
/// </summary>
public sealed record FedCablingPayload(string Version, SortedDictionary<CablingKey, StoredPixelRoc> Map)
{
    public const string ObjectType = "SiPixelFedCablingMap";
    public const string Record = "SiPixelFedCablingMapRcd";

    /// <summary>theVersion of the maps GainCal writes.</summary>
    public const string GainCalVersion = "phase1";

    private static readonly ArchiveItem<CablingKey> KeyItem = ArchiveItem.Class("SiPixelFedCablingMap::Key", static (Archive ar, ref CablingKey k) =>
    {
        uint fed = k.Fed, link = k.Link, roc = k.Roc;
        ar.Value(ref fed);
        ar.Value(ref link);
        ar.Value(ref roc);
        k = new CablingKey(fed, link, roc);
    });

    private static readonly ArchiveItem<StoredPixelRoc> RocItem = ArchiveItem.Class("sipixelobjects::PixelROC", static (Archive ar, ref StoredPixelRoc r) =>
    {
        uint detUnit = r.DetUnit, idDu = r.IdInDetUnit, idLk = r.IdInLink;
        ar.Value(ref detUnit);
        ar.Value(ref idDu);
        ar.Value(ref idLk);
        r = new StoredPixelRoc(detUnit, idDu, idLk);
    });

    private static readonly ArchiveItem<FedCablingPayload> Item = ArchiveItem.Class(ObjectType, static (Archive ar, ref FedCablingPayload p) =>
    {
        string version = p?.Version ?? "";
        var map = p?.Map!;
        ar.BaseObject("SiPixelFedCabling");
        ar.Value(ref version);
        ar.Map(ref map, KeyItem, RocItem);
        p = new FedCablingPayload(version, map);
    });

    public byte[] Serialize() => Archive.Save(this, Item, capacity: 32 + 20 * Map.Count);

    /// <summary>Reads the object; archive errors become <see cref="InvalidDataException"/> naming <paramref name="source"/>.</summary>
    public static FedCablingPayload Deserialize(byte[] blob, string source, out uint libraryVersion)
    {
        try
        {
            return Archive.Load(blob, Item, out libraryVersion);
        }
        catch (ArchiveFormatException e)
        {
            throw new InvalidDataException($"{source}: {ObjectType}: {e.Message}", e);
        }
    }

    public static FedCablingPayload From(CablingMap cabling, string version = GainCalVersion)
    {
        var map = new SortedDictionary<CablingKey, StoredPixelRoc>();
        foreach (int fed in cabling.Feds)
            foreach (var roc in cabling.ForFed(fed).Rocs)
                map.Add(new CablingKey((uint)roc.Fed, (uint)roc.Link, (uint)roc.Roc), new StoredPixelRoc(roc.DetId.Raw, (uint)roc.IdInDetUnit, (uint)roc.Roc));
        return new FedCablingPayload(version, map);
    }

    /// <summary>
    /// The cabling GainCal decodes with: FED/link/ROC of the key, module theDetUnit, ROC index theIdDU. Refuses what
    /// the decoder cannot use (a ROC whose theIdLk differs from its key, a non-pixel FED, link or ROC out of range,
    /// a module read twice) with <see cref="CablingFormatException"/> naming <paramref name="source"/>.
    /// </summary>
    public CablingMap ToCablingMap(string source)
    {
        if (Version.Contains("CMSSW_9_0_X", StringComparison.Ordinal))
            throw new CablingFormatException(source, 0,
                $"cabling version '{Version}' asks CMSSW for the pre-2017 layer-1 frame conversion, which GainCal does not implement");
        var rocs = new List<CabledRoc>(Map.Count);
        foreach (var (key, roc) in Map)
        {
            if (key.Fed > int.MaxValue || key.Link > int.MaxValue || key.Roc > int.MaxValue || roc.IdInDetUnit > int.MaxValue)
                throw new CablingFormatException(source, 0, $"{key}: value out of range");
            if (roc.IdInLink != key.Roc)
                throw new CablingFormatException(source, 0, $"{key}: the PixelROC says it is ROC {roc.IdInLink} of its link");
            var cabled = new CabledRoc((int)key.Fed, (int)key.Link, (int)key.Roc, new DetId(roc.DetUnit), (int)roc.IdInDetUnit);
            if (FedCabling.Problem(cabled) is { } problem) throw new CablingFormatException(source, 0, $"{key}: {problem}");
            rocs.Add(cabled);
        }
        if (rocs.Count == 0) throw new CablingFormatException(source, 0, "the cabling map holds no ROC");
        try
        {
            return new CablingMap(rocs);
        }
        catch (ArgumentException e)
        {
            // A module ROC cabled twice: the map's own message, without the parameter name .NET appends.
            throw new CablingFormatException(source, 0, e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", ""));
        }
    }
}
