namespace GainCal.Dump;

/// <summary>Meaning of the 5-bit ROC field of a 32-bit FED payload word. Values 25..31 are the field values themselves.</summary>
public enum RocField
{
    Hit = 0,
    Disabled = 25,
    Gap = 26,
    Dummy = 27,
    FifoFull = 28,
    Timeout = 29,
    TbmTrailer = 30,
    EventNumberError = 31,
}

/// <summary>
/// Phase-1 32-bit pixel word codec (CMSSW SiPixelDigiConstants.h, LocalPixel.h, PixelDataFormatter.cc).
/// Layers 2-4 and FPix: ADC 0-7, PXID 8-15, DCOL 16-20. BPix layer 1: ADC 0-7, ROW 8-14, COL 15-20.
/// ROC 21-25 and LINK 26-31 in both.
/// </summary>
public static class PixelWord
{
    private const int RocShift = 21;
    private const int LinkShift = 26;
    private const int FirstSpecialRoc = 25;
    private const int RowsInRoc = 80;
    private const int ColsInRoc = 52;

    public static int Link(uint w) => (int)(w >> LinkShift);

    public static int Roc(uint w) => (int)(w >> RocShift) & 0x1F;

    public static int Adc(uint w) => (int)(w & 0xFF);

    /// <summary>ROC field 0..24 is a hit as far as the word goes; whether that (link, ROC) exists is the cabling's call.</summary>
    public static RocField Classify(uint w)
    {
        int roc = Roc(w);
        return roc < FirstSpecialRoc ? RocField.Hit : (RocField)roc;
    }

    /// <summary>
    /// ROC-local row (0..79) and column (0..51) of a hit word. False for padding (0), filler/error words
    /// (ROC field 25..31) and for coordinates CMSSW rejects with error 37.
    /// </summary>
    public static bool TryDecode(uint w, bool layer1, out int rocRow, out int rocCol)
    {
        if (w == 0 || Roc(w) >= FirstSpecialRoc)
        {
            rocRow = rocCol = 0;
            return false;
        }
        if (layer1)
        {
            rocRow = (int)(w >> 8) & 0x7F;
            rocCol = (int)(w >> 15) & 0x3F;
            return rocRow < RowsInRoc && rocCol < ColsInRoc;
        }
        int pxid = (int)(w >> 8) & 0xFF;
        int dcol = (int)(w >> 16) & 0x1F;
        rocRow = RowsInRoc - (pxid >> 1);
        rocCol = 2 * dcol + (pxid & 1);
        return dcol < 26 && pxid >= 2 && pxid < 162;
    }

    public static uint EncodeHit(int link, int roc, int rocRow, int rocCol, int adc, bool layer1)
    {
        if ((uint)link > 63) throw new ArgumentOutOfRangeException(nameof(link), link, "link must be 0..63");
        if ((uint)roc >= FirstSpecialRoc) throw new ArgumentOutOfRangeException(nameof(roc), roc, "ROC field of a hit must be 0..24");
        if ((uint)rocRow >= RowsInRoc) throw new ArgumentOutOfRangeException(nameof(rocRow), rocRow, "ROC row must be 0..79");
        if ((uint)rocCol >= ColsInRoc) throw new ArgumentOutOfRangeException(nameof(rocCol), rocCol, "ROC column must be 0..51");
        if ((uint)adc > 255) throw new ArgumentOutOfRangeException(nameof(adc), adc, "ADC must be 0..255");
        uint top = ((uint)link << LinkShift) | ((uint)roc << RocShift);
        uint word = layer1
            ? top | ((uint)rocCol << 15) | ((uint)rocRow << 8) | (uint)adc
            : top | ((uint)(rocCol >> 1) << 16) | ((uint)(2 * (RowsInRoc - rocRow) + (rocCol & 1)) << 8) | (uint)adc;
        // Only the layer-1 layout can produce 0 (link 0, ROC 0, pixel (0,0), ADC 0), which readers skip as padding.
        if (word == 0) throw new ArgumentException("this hit encodes to 0, which is padding");
        return word;
    }

    /// <summary>Filler or error word for simulation: link, ROC field = kind, payload in bits 0..20.</summary>
    public static uint EncodeSpecial(int link, RocField kind, int payload = 0)
    {
        if ((uint)link > 63) throw new ArgumentOutOfRangeException(nameof(link), link, "link must be 0..63");
        if ((int)kind < FirstSpecialRoc || (int)kind > 31) throw new ArgumentOutOfRangeException(nameof(kind), kind, "kind must be a filler or error field (25..31)");
        if ((uint)payload > 0x1FFFFF) throw new ArgumentOutOfRangeException(nameof(payload), payload, "payload must fit in 21 bits");
        return ((uint)link << LinkShift) | ((uint)kind << RocShift) | (uint)payload;
    }
}
