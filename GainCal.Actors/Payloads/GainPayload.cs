using System.Buffers.Binary;

namespace GainCal.Payloads;

/// <summary>One module's slice of a payload's byte vector: CMSSW DetRegistry {detid, ibegin, iend, ncols}.</summary>
public readonly record struct ModuleRegistryEntry(uint DetId, uint IBegin, uint IEnd, int NCols)
{
    public int Length => (int)(IEnd - IBegin);
}

/// <summary>A decoded pixel: the stored codes, the decoded values and the flags each code carries.</summary>
public readonly record struct DecodedPixel(byte PedestalCode, byte GainCode, float Pedestal, float Gain)
{
    public bool PedestalDead => PedestalCode == GainEncoding.DeadFlag;
    public bool PedestalNoisy => PedestalCode == GainEncoding.NoisyFlag;
    public bool GainDead => GainCode == GainEncoding.DeadFlag;
    public bool GainNoisy => GainCode == GainEncoding.NoisyFlag;
}

/// <summary>
/// A gain payload as the CMSSW classes hold it: the encoding parameters, one byte vector with the modules
/// appended in insertion order, and the registry kept sorted by detid (std::lower_bound insertion).
/// </summary>
public sealed class GainPayload
{
    private readonly List<ModuleRegistryEntry> _registry = [];
    private readonly MemoryStream _data;

    /// <param name="expectedModules">Modules that will be put, to size the byte vector once (0 = grow as needed).</param>
    public GainPayload(PayloadKind kind, GainEncoding encoding, int expectedModules = 0)
    {
        Kind = kind;
        Encoding = encoding;
        _data = new MemoryStream(expectedModules * kind.BytesPerColumn() * PayloadKinds.ModuleColumns);
    }

    public PayloadKind Kind { get; }
    public GainEncoding Encoding { get; }
    public int RowsToAverageOver => Kind.RowsToAverageOver();

    /// <summary>Registry sorted by detid.</summary>
    public IReadOnlyList<ModuleRegistryEntry> Registry => _registry;

    public ReadOnlySpan<byte> Data => _data.GetBuffer().AsSpan(0, (int)_data.Length);
    public long DataLength => _data.Length;

    /// <summary>Appends a module's bytes; false (nothing stored) if the detid is already present, as CMSSW's put().</summary>
    public bool Put(uint detId, ReadOnlySpan<byte> bytes, int nCols)
    {
        int at = LowerBound(detId);
        if (at < _registry.Count && _registry[at].DetId == detId) return false;
        if (nCols <= 0 || bytes.Length % nCols != 0)
            throw new ArgumentException($"detid {detId}: {bytes.Length} bytes do not split into {nCols} columns");
        uint begin = (uint)_data.Length;
        _data.Write(bytes);
        _registry.Insert(at, new ModuleRegistryEntry(detId, begin, (uint)_data.Length, nCols));
        return true;
    }

    public bool TryGetModule(uint detId, out ModuleRegistryEntry entry)
    {
        int at = LowerBound(detId);
        if (at < _registry.Count && _registry[at].DetId == detId) { entry = _registry[at]; return true; }
        entry = default;
        return false;
    }

    public ReadOnlySpan<byte> ModuleBytes(in ModuleRegistryEntry entry) => Data.Slice((int)entry.IBegin, entry.Length);

    /// <summary>Reads one pixel with the class's own addressing (getPed/getGain of the CMSSW class).</summary>
    public DecodedPixel ReadPixel(in ModuleRegistryEntry entry, int col, int row)
    {
        var bytes = ModuleBytes(entry);
        int lengthCol = entry.Length / entry.NCols;
        int rows = Kind switch
        {
            PayloadKind.Offline => lengthCol / (RowsToAverageOver + 1) * RowsToAverageOver,
            PayloadKind.Hlt => lengthCol / 2 * RowsToAverageOver,
            _ => lengthCol / 2,
        };
        if ((uint)col >= (uint)entry.NCols || (uint)row >= (uint)rows)
            throw new ArgumentOutOfRangeException(nameof(row), $"detid {entry.DetId}: pixel (row {row}, col {col}) outside the module ({rows} x {entry.NCols})");
        var column = bytes.Slice(col * lengthCol, lengthCol);
        byte ped, gain;
        switch (Kind)
        {
            case PayloadKind.Offline:
                {
                    int block = row / RowsToAverageOver;
                    ped = column[block * (RowsToAverageOver + 1) + row % RowsToAverageOver];
                    gain = column[(block + 1) * (RowsToAverageOver + 1) - 1];
                    break;
                }
            case PayloadKind.Hlt:
                {
                    int block = row / RowsToAverageOver;
                    gain = column[2 * block];
                    ped = column[2 * block + 1];
                    break;
                }
            default:
                gain = column[2 * row];
                ped = column[2 * row + 1];
                break;
        }
        return new DecodedPixel(ped, gain, Encoding.DecodePedestal(ped), Encoding.DecodeGain(gain));
    }

    private int LowerBound(uint detId)
    {
        int lo = 0, hi = _registry.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_registry[mid].DetId < detId) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    private const uint Magic = 0x50474347; // "GCGP" little-endian
    private const int FormatVersion = 1;

    /// <summary>
    /// Serialized form stored as the PAYLOAD blob (all little-endian): magic "GCGP", format version, kind,
    /// minPed, maxPed, minGain, maxGain (float32), numberOfRowsToAverageOver, nBinsToUseForEncoding, deadFlag,
    /// noisyFlag (uint32), registry count then {detid, ibegin, iend (uint32), ncols (int32)} per module,
    /// byte count then the bytes. Field order follows the CMSSW class members.
    /// </summary>
    public byte[] Serialize()
    {
        var blob = new byte[HeaderLength + _registry.Count * 16 + 4 + (int)_data.Length];
        var s = blob.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(s, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(s[8..], (int)Kind);
        BinaryPrimitives.WriteSingleLittleEndian(s[12..], Encoding.MinPedestal);
        BinaryPrimitives.WriteSingleLittleEndian(s[16..], Encoding.MaxPedestal);
        BinaryPrimitives.WriteSingleLittleEndian(s[20..], Encoding.MinGain);
        BinaryPrimitives.WriteSingleLittleEndian(s[24..], Encoding.MaxGain);
        BinaryPrimitives.WriteUInt32LittleEndian(s[28..], (uint)RowsToAverageOver);
        BinaryPrimitives.WriteUInt32LittleEndian(s[32..], GainEncoding.BinsUsedForEncoding);
        BinaryPrimitives.WriteUInt32LittleEndian(s[36..], GainEncoding.DeadFlag);
        BinaryPrimitives.WriteUInt32LittleEndian(s[40..], GainEncoding.NoisyFlag);
        BinaryPrimitives.WriteInt32LittleEndian(s[44..], _registry.Count);
        int at = HeaderLength;
        foreach (var e in _registry)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(s[at..], e.DetId);
            BinaryPrimitives.WriteUInt32LittleEndian(s[(at + 4)..], e.IBegin);
            BinaryPrimitives.WriteUInt32LittleEndian(s[(at + 8)..], e.IEnd);
            BinaryPrimitives.WriteInt32LittleEndian(s[(at + 12)..], e.NCols);
            at += 16;
        }
        BinaryPrimitives.WriteInt32LittleEndian(s[at..], (int)_data.Length);
        Data.CopyTo(s[(at + 4)..]);
        return blob;
    }

    private const int HeaderLength = 48;

    public static GainPayload Deserialize(ReadOnlySpan<byte> blob, string source)
    {
        string Where(int offset) => $"{source}: at byte {offset} of the payload blob";
        if (blob.Length < HeaderLength) throw new InvalidDataException($"{Where(0)}: blob of {blob.Length} bytes is too short for a gain payload");
        if (BinaryPrimitives.ReadUInt32LittleEndian(blob) != Magic) throw new InvalidDataException($"{Where(0)}: not a GainCal gain payload (bad magic)");
        int version = BinaryPrimitives.ReadInt32LittleEndian(blob[4..]);
        if (version != FormatVersion) throw new InvalidDataException($"{Where(4)}: unsupported payload format version {version}");
        int kindValue = BinaryPrimitives.ReadInt32LittleEndian(blob[8..]);
        if (!Enum.IsDefined((PayloadKind)kindValue)) throw new InvalidDataException($"{Where(8)}: unknown payload kind {kindValue}");
        var kind = (PayloadKind)kindValue;
        var encoding = GainEncoding.For(kind,
            BinaryPrimitives.ReadSingleLittleEndian(blob[12..]), BinaryPrimitives.ReadSingleLittleEndian(blob[16..]),
            BinaryPrimitives.ReadSingleLittleEndian(blob[20..]), BinaryPrimitives.ReadSingleLittleEndian(blob[24..]));
        uint rows = BinaryPrimitives.ReadUInt32LittleEndian(blob[28..]);
        if (rows != kind.RowsToAverageOver()) throw new InvalidDataException($"{Where(28)}: {rows} rows averaged, {kind.ObjectType()} uses {kind.RowsToAverageOver()}");
        int count = BinaryPrimitives.ReadInt32LittleEndian(blob[44..]);
        long need = HeaderLength + (long)count * 16 + 4;
        if (count < 0 || blob.Length < need) throw new InvalidDataException($"{Where(44)}: registry of {count} modules does not fit in {blob.Length} bytes");
        int at = HeaderLength;
        var entries = new ModuleRegistryEntry[count];
        for (int i = 0; i < count; i++, at += 16)
            entries[i] = new ModuleRegistryEntry(BinaryPrimitives.ReadUInt32LittleEndian(blob[at..]), BinaryPrimitives.ReadUInt32LittleEndian(blob[(at + 4)..]),
                BinaryPrimitives.ReadUInt32LittleEndian(blob[(at + 8)..]), BinaryPrimitives.ReadInt32LittleEndian(blob[(at + 12)..]));
        int length = BinaryPrimitives.ReadInt32LittleEndian(blob[at..]);
        if (length < 0 || blob.Length - (at + 4) != length) throw new InvalidDataException($"{Where(at)}: data length {length} does not match the blob size");
        var data = blob.Slice(at + 4, length);
        var payload = new GainPayload(kind, encoding);
        payload._data.Write(data);
        for (int i = 0; i < count; i++)
        {
            var e = entries[i];
            if (e.IEnd < e.IBegin || e.IEnd > length || e.NCols <= 0 || e.Length % e.NCols != 0)
                throw new InvalidDataException($"{Where(HeaderLength + 16 * i)}: registry entry of detid {e.DetId} is inconsistent ({e.IBegin}..{e.IEnd}, {e.NCols} columns)");
            if (i > 0 && entries[i - 1].DetId >= e.DetId)
                throw new InvalidDataException($"{Where(HeaderLength + 16 * i)}: registry is not sorted by detid at {e.DetId}");
            payload._registry.Add(e);
        }
        return payload;
    }
}
