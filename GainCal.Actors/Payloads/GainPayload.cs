using GainCal.Payloads.Conditions;

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

    /// <summary>
    /// The members of CMSSW's SiPixelGainCalibrationOffline, SiPixelGainCalibrationForHLT and SiPixelGainCalibration
    /// in declaration order (CondFormats/SiPixelObjects, serialized by the generated serialize bodies); the HLT
    /// class has pedPrecision and gainPrecision after maxGain_.
    /// </summary>
    private sealed class Stored
    {
        public byte[] Pedestals = [];
        public List<ModuleRegistryEntry> Indexes = [];
        public float MinPed, MaxPed, MinGain, MaxGain, PedPrecision, GainPrecision;
        public uint RowsToAverageOver, BinsToUseForEncoding, DeadFlag, NoisyFlag;
    }

    private static ArchiveItem<Stored> StoredItem(PayloadKind kind)
    {
        var registry = ArchiveItem.Class($"{kind.ObjectType()}::DetRegistry", static (Archive ar, ref ModuleRegistryEntry e) =>
        {
            uint detId = e.DetId, begin = e.IBegin, end = e.IEnd;
            int nCols = e.NCols;
            ar.Value(ref detId);
            ar.Value(ref begin);
            ar.Value(ref end);
            ar.Value(ref nCols);
            e = new ModuleRegistryEntry(detId, begin, end, nCols);
        });
        return ArchiveItem.Class(kind.ObjectType(), (Archive ar, ref Stored s) =>
        {
            s ??= new Stored();
            ar.Chars(ref s.Pedestals);
            ar.Vector(ref s.Indexes, registry);
            ar.Value(ref s.MinPed);
            ar.Value(ref s.MaxPed);
            ar.Value(ref s.MinGain);
            ar.Value(ref s.MaxGain);
            if (kind == PayloadKind.Hlt)
            {
                ar.Value(ref s.PedPrecision);
                ar.Value(ref s.GainPrecision);
            }
            ar.Value(ref s.RowsToAverageOver);
            ar.Value(ref s.BinsToUseForEncoding);
            ar.Value(ref s.DeadFlag);
            ar.Value(ref s.NoisyFlag);
        });
    }

    private static readonly ArchiveItem<Stored>[] StoredItems = [.. PayloadKinds.All.Select(StoredItem)];

    /// <summary>The object as CMSSW serializes its class: the PAYLOAD.DATA blob of a conditions file.</summary>
    public byte[] Serialize()
    {
        var stored = new Stored
        {
            Pedestals = Data.ToArray(),
            Indexes = [.. _registry],
            MinPed = Encoding.MinPedestal,
            MaxPed = Encoding.MaxPedestal,
            MinGain = Encoding.MinGain,
            MaxGain = Encoding.MaxGain,
            PedPrecision = Encoding.PedestalStepSingle,
            GainPrecision = Encoding.GainStepSingle,
            RowsToAverageOver = (uint)RowsToAverageOver,
            BinsToUseForEncoding = GainEncoding.BinsUsedForEncoding,
            DeadFlag = GainEncoding.DeadFlag,
            NoisyFlag = GainEncoding.NoisyFlag,
        };
        return Archive.Save(stored, StoredItems[(int)Kind], capacity: 2 * stored.Pedestals.Length + 24 * _registry.Count + 64);
    }

    /// <summary>Reads a <paramref name="kind"/> object from its archive and checks it is one GainCal can decode
    /// (253 codes, flags 254/255, the class's row averaging, a registry that splits the bytes into columns).</summary>
    public static GainPayload Deserialize(byte[] blob, PayloadKind kind, string source, out uint libraryVersion)
    {
        Stored s;
        try
        {
            s = Archive.Load(blob, StoredItems[(int)kind], out libraryVersion);
        }
        catch (ArchiveFormatException e)
        {
            throw new InvalidDataException($"{source}: {kind.ObjectType()}: {e.Message}", e);
        }
        string Where() => $"{source}: {kind.ObjectType()}";
        if (s.RowsToAverageOver != kind.RowsToAverageOver())
            throw new InvalidDataException($"{Where()}: numberOfRowsToAverageOver_ is {s.RowsToAverageOver}, the class uses {kind.RowsToAverageOver()}");
        if (s.BinsToUseForEncoding != GainEncoding.BinsUsedForEncoding || s.DeadFlag != GainEncoding.DeadFlag || s.NoisyFlag != GainEncoding.NoisyFlag)
            throw new InvalidDataException($"{Where()}: encoding with {s.BinsToUseForEncoding} bins, dead flag {s.DeadFlag}, noisy flag {s.NoisyFlag}; GainCal decodes 253 bins, 255, 254");
        GainEncoding encoding;
        try { encoding = GainEncoding.For(kind, s.MinPed, s.MaxPed, s.MinGain, s.MaxGain); }
        catch (ArgumentException e) { throw new InvalidDataException($"{Where()}: {e.Message}", e); }
        if (kind == PayloadKind.Hlt && (s.PedPrecision != encoding.PedestalStepSingle || s.GainPrecision != encoding.GainStepSingle))
            throw new InvalidDataException($"{Where()}: pedPrecision {s.PedPrecision} / gainPrecision {s.GainPrecision} are not (max - min) / 253 of the stored ranges");
        var payload = new GainPayload(kind, encoding);
        payload._data.Write(s.Pedestals);
        for (int i = 0; i < s.Indexes.Count; i++)
        {
            var e = s.Indexes[i];
            if (e.IEnd < e.IBegin || e.IEnd > s.Pedestals.Length || e.NCols <= 0 || e.Length % e.NCols != 0)
                throw new InvalidDataException($"{Where()}: registry entry {i} (detid {e.DetId}) is inconsistent ({e.IBegin}..{e.IEnd} of {s.Pedestals.Length} bytes, {e.NCols} columns)");
            if (i > 0 && s.Indexes[i - 1].DetId >= e.DetId)
                throw new InvalidDataException($"{Where()}: registry is not sorted by detid at entry {i} (detid {e.DetId})");
            payload._registry.Add(e);
        }
        return payload;
    }
}
