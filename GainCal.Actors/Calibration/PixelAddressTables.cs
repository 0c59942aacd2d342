using GainCal.Detector;
using GainCal.Dump;

namespace GainCal.Calibration;

/// <summary>
/// Lookup tables that turn a 32-bit pixel word into an accumulator pixel number with two array reads,
/// so the per-hit work is independent of the word layout:
/// bits 21..31 (link, ROC field) → first pixel number of the cabled ROC (−1 if not cabled, or a filler/error word),
/// with <see cref="Layer1Marker"/> set for BPix layer-1 ROCs; bits 8..20 (DCOL/PXID, or row/column on layer 1)
/// → the pixel's slot in the current pattern, <see cref="OutsidePattern"/> or <see cref="InvalidAddress"/>.
/// The slot table is rebuilt from <see cref="PixelWord.TryDecode"/> and the pattern whenever the pattern changes.
/// </summary>
internal sealed class PixelAddressTables
{
    /// <summary>Set in <see cref="RocBase"/> for a layer-1 ROC; shifted right by 17 it selects the second half of <see cref="Slot"/>.</summary>
    public const int Layer1Marker = 1 << 30;
    public const int PixelMask = Layer1Marker - 1;
    public const sbyte OutsidePattern = -1;
    public const sbyte InvalidAddress = -2;
    private const int AddressBits = 13;

    private readonly CalibrationPattern _pattern;

    public PixelAddressTables(FedCabling cabling, CalibrationPattern pattern)
    {
        _pattern = pattern;
        var slotsPerRoc = pattern.MaxPixelsPerRoc;
        if ((long)cabling.Rocs.Count * slotsPerRoc * pattern.PointCount > Array.MaxLength)
            throw new ArgumentException($"FED {cabling.Fed}: {cabling.Rocs.Count} ROCs × {slotsPerRoc} pixels per pattern is too many for one accumulator");
        RocBase = new int[1 << 11];
        for (var key = 0; key < RocBase.Length; key++)
        {
            var index = cabling.RocIndex(key >> 5, key & 0x1F);
            RocBase[key] = index < 0 || (key & 0x1F) >= 25 ? -1
                : index * slotsPerRoc | (cabling.IsLayer1(index) ? Layer1Marker : 0);
        }
        Slot = new sbyte[2 << AddressBits];
    }

    /// <summary>Indexed by word bits 21..31.</summary>
    public int[] RocBase { get; }

    /// <summary>Indexed by (layer-1 ? 8192 : 0) + word bits 8..20.</summary>
    public sbyte[] Slot { get; }

    public void SelectPattern(int pattern)
    {
        for (var address = 0; address < 1 << AddressBits; address++)
        {
            var word = (uint)address << 8 | 1u << 26 | 1u << 21;
            Slot[address] = SlotOf(word, layer1: false, pattern);
            Slot[(1 << AddressBits) + address] = SlotOf(word, layer1: true, pattern);
        }
    }

    private sbyte SlotOf(uint word, bool layer1, int pattern) =>
        !PixelWord.TryDecode(word, layer1, out var row, out var col) ? InvalidAddress
        : pattern < _pattern.PatternCount && _pattern.SlotOf(pattern, row, col) is var s and >= 0 ? (sbyte)s
        : OutsidePattern;
}
