using System.Globalization;
using GainCal.Detector;
using GainCal.Payloads.Conditions;

namespace GainCal.Payloads;

/// <summary>One module's VCal to electrons conversion as SiPixelVCal stores it: electrons = slope · VCal + offset (float32).</summary>
public readonly record struct VCalEntry(float Slope, float Offset);

/// <summary>
/// The SiPixelVCal conditions object (SiPixelVCalDB_cfg.py + SiPixelVCalDB): per-module slope and offset.
/// BPix: one value per (layer, ladder) shared by its 8 modules, slope = 45.7 (layer 1) or 47 times the
/// layer's dose correction, offset −308 (layer 1) or −60, not corrected. FPix: one value per (side, disk, ring),
/// slope = 47 times the ring's correction, offset −60. Computed in double and stored as float, as the config
/// (cms.double) and the analyzer's (float) cast do.
/// </summary>
public static class VCalDb
{
    public const double Slope = 47.0;
    public const double Offset = -60.0;
    public const double SlopeLayer1 = 45.7;
    public const double OffsetLayer1 = -308.0;
    public const string ObjectType = "SiPixelVCal";
    public const string Record = "SiPixelVCalRcd";

    /// <summary>Missing-detid values of the SiPixelVCal getters and of the gain analysis.</summary>
    public static VCalEntry Default => new(47f, -60f);

    /// <summary>The reference's tag name, e.g. SiPixelVCal_phase1_2026_v0 for 2026_v0.</summary>
    public static string TagName(string lumiTag) => $"SiPixelVCal_phase1_{lumiTag}";

    /// <summary>Per-module entries; modules whose layer or ring has no factor get none (the analyzer puts nothing for them).</summary>
    public static SortedDictionary<uint, VCalEntry> Build(IReadOnlyDictionary<int, double> bpix, IReadOnlyDictionary<int, double> fpix,
        IReadOnlyList<DetId>? modules = null)
    {
        var entries = new SortedDictionary<uint, VCalEntry>();
        foreach (var id in modules ?? DetId.AllModules)
        {
            if (id.IsBPix && bpix.TryGetValue(id.Layer, out var corr))
                entries[id.Raw] = new VCalEntry((float)((id.Layer == 1 ? SlopeLayer1 : Slope) * corr), (float)(id.Layer == 1 ? OffsetLayer1 : Offset));
            else if (id.IsFPix && fpix.TryGetValue(id.Ring, out var ringCorr))
                entries[id.Raw] = new VCalEntry((float)(Slope * ringCorr), (float)Offset);
        }
        return entries;
    }

    /// <summary>SiPixelVCal::VCal: slope then offset (float).</summary>
    private static readonly ArchiveItem<VCalEntry> VCalItem = ArchiveItem.Class("SiPixelVCal::VCal", static (Archive ar, ref VCalEntry v) =>
    {
        float slope = v.Slope, offset = v.Offset;
        ar.Value(ref slope);
        ar.Value(ref offset);
        v = new VCalEntry(slope, offset);
    });

    /// <summary>SiPixelVCal: its one member m_vcal, std::map&lt;unsigned int, VCal&gt; keyed by detid.</summary>
    private static readonly ArchiveItem<SortedDictionary<uint, VCalEntry>> Item = ArchiveItem.Class(ObjectType,
        static (Archive ar, ref SortedDictionary<uint, VCalEntry> vcal) => ar.Map(ref vcal, ArchiveItem.UInt32, VCalItem));

    /// <summary>The object as CMSSW serializes SiPixelVCal (the PAYLOAD.DATA blob).</summary>
    public static byte[] Serialize(IReadOnlyDictionary<uint, VCalEntry> entries) =>
        Archive.Save(new SortedDictionary<uint, VCalEntry>(entries.ToDictionary()), Item, capacity: 16 + 16 * entries.Count);

    public static SortedDictionary<uint, VCalEntry> Deserialize(byte[] blob, string source, out uint libraryVersion)
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

    /// <summary>Writes the object as a conditions file (TAG / IOV since 1 / PAYLOAD) plus a VCAL table (DETID, SLOPE, OFFSET) for SQL inspection.</summary>
    public static string Write(string path, string tagName, IReadOnlyDictionary<uint, VCalEntry> entries, string description = "")
    {
        var blob = Serialize(entries);
        return ConditionsDb.WriteSingleIov(path, tagName, ObjectType, blob,
            description.Length > 0 ? description : "SiPixelVCal written by GainCal",
            (db, tx, hash) =>
            {
                ConditionsDb.Execute(db, tx, """
                    CREATE TABLE VCAL (PAYLOAD_HASH TEXT NOT NULL REFERENCES PAYLOAD(HASH), DETID INTEGER NOT NULL,
                        SLOPE REAL NOT NULL, OFFSET REAL NOT NULL, PRIMARY KEY (PAYLOAD_HASH, DETID))
                    """);
                using var cmd = db.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = "INSERT INTO VCAL VALUES ($hash, $detid, $slope, $offset)";
                var pHash = cmd.Parameters.AddWithValue("$hash", hash);
                var pDet = cmd.Parameters.Add("$detid", Microsoft.Data.Sqlite.SqliteType.Integer);
                var pSlope = cmd.Parameters.Add("$slope", Microsoft.Data.Sqlite.SqliteType.Real);
                var pOffset = cmd.Parameters.Add("$offset", Microsoft.Data.Sqlite.SqliteType.Real);
                foreach (var (detId, e) in entries.OrderBy(kv => kv.Key))
                {
                    pDet.Value = (long)detId; pSlope.Value = (double)e.Slope; pOffset.Value = (double)e.Offset;
                    cmd.ExecuteNonQuery();
                }
            });
    }

    /// <summary>detid → (slope, offset) of a VCal conditions file; the payload blob is the authority.</summary>
    public static IReadOnlyDictionary<uint, VCalEntry> Read(string path) => ReadWithTag(path).Entries;

    /// <summary>The file's tag, IOV, the boost archive version of its payload and the entries.</summary>
    public static (ConditionsTag Tag, ConditionsIov Iov, uint ArchiveVersion, SortedDictionary<uint, VCalEntry> Entries) ReadWithTag(string path, string? tagName = null)
    {
        var (tag, iov, payload) = ConditionsDb.Read(path, tagName, ObjectType);
        var entries = Deserialize(payload.Data, path, out uint version);
        return (tag, iov, version, entries);
    }

    /// <summary>The "detid slope offset" text form that the calibration's VCal table reads (round-trip float digits).</summary>
    public static void WriteText(string path, IReadOnlyDictionary<uint, VCalEntry> entries)
    {
        using var w = new StreamWriter(path);
        w.WriteLine("# detid slope offset   (electrons = slope * VCal + offset; SiPixelVCal values, float32)");
        foreach (var (detId, e) in entries.OrderBy(kv => kv.Key))
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{detId} {e.Slope:R} {e.Offset:R}"));
    }
}
