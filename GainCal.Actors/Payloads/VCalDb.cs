using System.Buffers.Binary;
using System.Globalization;
using GainCal.Detector;

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

    private const uint Magic = 0x43564347; // "GCVC" little-endian

    /// <summary>Blob: magic "GCVC", format version 1, count, then {detid uint32, slope float32, offset float32} sorted by detid.</summary>
    public static byte[] Serialize(IReadOnlyDictionary<uint, VCalEntry> entries)
    {
        var blob = new byte[12 + 12 * entries.Count];
        BinaryPrimitives.WriteUInt32LittleEndian(blob, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan(4), 1);
        BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan(8), entries.Count);
        int at = 12;
        foreach (var (detId, e) in entries.OrderBy(kv => kv.Key))
        {
            BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(at), detId);
            BinaryPrimitives.WriteSingleLittleEndian(blob.AsSpan(at + 4), e.Slope);
            BinaryPrimitives.WriteSingleLittleEndian(blob.AsSpan(at + 8), e.Offset);
            at += 12;
        }
        return blob;
    }

    public static SortedDictionary<uint, VCalEntry> Deserialize(ReadOnlySpan<byte> blob, string source)
    {
        if (blob.Length < 12 || BinaryPrimitives.ReadUInt32LittleEndian(blob) != Magic)
            throw new InvalidDataException($"{source}: at byte 0 of the payload blob: not a GainCal SiPixelVCal payload");
        int version = BinaryPrimitives.ReadInt32LittleEndian(blob[4..]);
        if (version != 1) throw new InvalidDataException($"{source}: at byte 4 of the payload blob: unsupported format version {version}");
        int count = BinaryPrimitives.ReadInt32LittleEndian(blob[8..]);
        if (count < 0 || blob.Length != 12 + 12L * count)
            throw new InvalidDataException($"{source}: at byte 8 of the payload blob: {count} entries do not match {blob.Length} bytes");
        var entries = new SortedDictionary<uint, VCalEntry>();
        for (int i = 0, at = 12; i < count; i++, at += 12)
        {
            uint detId = BinaryPrimitives.ReadUInt32LittleEndian(blob[at..]);
            if (!entries.TryAdd(detId, new VCalEntry(BinaryPrimitives.ReadSingleLittleEndian(blob[(at + 4)..]), BinaryPrimitives.ReadSingleLittleEndian(blob[(at + 8)..]))))
                throw new InvalidDataException($"{source}: at byte {at} of the payload blob: detid {detId} listed twice");
        }
        return entries;
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

    public static (ConditionsTag Tag, ConditionsIov Iov, SortedDictionary<uint, VCalEntry> Entries) ReadWithTag(string path)
    {
        var (tag, iov, payload) = ConditionsDb.ReadSingleIov(path, ObjectType);
        return (tag, iov, Deserialize(payload.Data, path));
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
