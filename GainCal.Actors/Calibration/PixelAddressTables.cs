using System.Runtime.CompilerServices;
using GainCal.Detector;
using GainCal.Dump;

namespace GainCal.Calibration;

/// <summary>
/// Lookup tables that turn a 32-bit pixel word into an accumulator pixel number with two array reads,
/// so the per-hit work is independent of the word layout:
/// bits 21..31 (link, ROC field) → first pixel number of the cabled ROC (−1 if not cabled, or a filler/error word),
/// with <see cref="Layer1Marker"/> set for BPix layer-1 ROCs; bits 8..20 (DCOL/PXID, or row/column on layer 1)
/// → the pixel's slot in the current pattern, <see cref="OutsidePattern"/> or <see cref="InvalidAddress"/>.
/// Which addresses are valid comes from <see cref="PixelWord.TryDecode"/> once; when the pattern changes only the
/// addresses of its injected pixels (from <see cref="PixelWord.EncodeHit"/>) get their slot.
/// </summary>
internal sealed class PixelAddressTables
{
    /// <summary>Set in <see cref="RocBase"/> for a layer-1 ROC; shifted right by 17 it selects the second half of <see cref="Slot"/>.</summary>
    public const int Layer1Marker = 1 << 30;
    public const int PixelMask = Layer1Marker - 1;
    public const short OutsidePattern = -1;
    public const short InvalidAddress = -2;
    private const int AddressBits = 13;

    private readonly CalibrationPattern _pattern;
    private readonly short[] _noPattern;

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
        _noPattern = new short[2 << AddressBits];
        for (var address = 0; address < 1 << AddressBits; address++)
        {
            var word = (uint)address << 8 | 1u << 26 | 1u << 21;
            _noPattern[address] = PixelWord.TryDecode(word, layer1: false, out _, out _) ? OutsidePattern : InvalidAddress;
            _noPattern[(1 << AddressBits) + address] = PixelWord.TryDecode(word, layer1: true, out _, out _) ? OutsidePattern : InvalidAddress;
        }
        Slot = new short[2 << AddressBits];
    }

    /// <summary>Indexed by <see cref="RocKey"/>: word bits 21..31.</summary>
    public int[] RocBase { get; }

    /// <summary>Indexed by <see cref="SlotKey"/>: (layer-1 ? 8192 : 0) + word bits 8..20.</summary>
    public short[] Slot { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint RocKey(uint word) => word >> 21;

    /// <summary>The word's address bits, in the layer-1 half of <see cref="Slot"/> when its ROC's <see cref="RocBase"/> entry has the marker.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SlotKey(int rocBase, uint word) => ((rocBase >> 17) & (1 << AddressBits)) | (int)((word >> 8) & ((1 << AddressBits) - 1));

    public void SelectPattern(int pattern)
    {
        _noPattern.CopyTo(Slot, 0);
        if (pattern >= _pattern.PatternCount) return;
        for (var slot = 0; slot < _pattern.PixelsInPattern(pattern); slot++)
        {
            var (row, col) = _pattern.PixelOfSlot(pattern, slot);
            Slot[Address(row, col, layer1: false)] = (short)slot;
            Slot[(1 << AddressBits) + Address(row, col, layer1: true)] = (short)slot;
        }
    }

    private static int Address(int row, int col, bool layer1) =>
        (int)(PixelWord.EncodeHit(1, 1, row, col, 1, layer1) >> 8) & ((1 << AddressBits) - 1);
}
