namespace GainCal.Dump;

/// <summary>
/// SLink (CMS FED) header and trailer words as 64-bit little-endian values.
/// Recognition uses exactly the masks of PixelDumpDataInputSource (uTCA 48-channel variant);
/// field positions follow CMSSW DataFormats/FEDRawData fed_header.h / fed_trailer.h.
/// </summary>
public static class SLinkWord
{
    internal const ulong HeaderMask = 0xFF0000000000000FUL;
    internal const ulong HeaderValue = 0x5000000000000000UL;
    internal const ulong TrailerMask = 0xFFFFC0000000F00FUL;
    internal const ulong TrailerValue = 0xA000000000000000UL;
    internal const ulong CrcModifiedBit = 0x4UL;

    /// <summary>The reference trailer mask can only see lengths below 2^14 words (bits 46..59 must be 0).</summary>
    internal const int MaxRecognisableLength = (1 << 14) - 1;

    public static bool IsHeader(ulong w) => (w & HeaderMask) == HeaderValue;

    public static bool IsTrailer(ulong w) => (w & TrailerMask) == TrailerValue;

    /// <summary>A word that the reference mask would take for a trailer if its CRC-modified bit were clear.</summary>
    internal static bool IsCrcModifiedTrailer(ulong w) =>
        (w & (TrailerMask & ~CrcModifiedBit)) == TrailerValue && (w & CrcModifiedBit) != 0;

    public static uint L1Id(ulong header) => (uint)(header >> 32) & 0xFFFFFF;

    public static int SourceId(ulong header) => (int)(header >> 8) & 0xFFF;

    public static int BxId(ulong header) => (int)(header >> 20) & 0xFFF;

    public static ulong Header(uint l1id, int fedId, int bxId = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(l1id, 0xFFFFFFu, nameof(l1id));
        if ((uint)fedId > 0xFFF) throw new ArgumentOutOfRangeException(nameof(fedId), fedId, "FED id must be 0..4095");
        if ((uint)bxId > 0xFFF) throw new ArgumentOutOfRangeException(nameof(bxId), bxId, "BX id must be 0..4095");
        return HeaderValue | ((ulong)l1id << 32) | ((ulong)bxId << 20) | ((ulong)fedId << 8);
    }

    public static ulong Trailer(int lengthWords, ushort crc = 0, int eventStatus = 0, int tts = 0)
    {
        if ((uint)lengthWords > 0xFFFFFF) throw new ArgumentOutOfRangeException(nameof(lengthWords), lengthWords, "length must be 0..2^24-1 words");
        if ((uint)eventStatus > 0xF) throw new ArgumentOutOfRangeException(nameof(eventStatus), eventStatus, "event status is 4 bits");
        if ((uint)tts > 0xF) throw new ArgumentOutOfRangeException(nameof(tts), tts, "TTS is 4 bits");
        return TrailerValue | ((ulong)lengthWords << 32) | ((ulong)crc << 16) | ((ulong)eventStatus << 8) | ((ulong)tts << 4);
    }

    /// <summary>Fragment length in 64-bit words, header and trailer included.</summary>
    public static int TrailerLength(ulong trailer) => (int)(trailer >> 32) & 0xFFFFFF;

    /// <summary>Bit 2 of the trailer: CMSSW (ErrorCheckerBase::checkCRC) drops the whole fragment, error 39.</summary>
    public static bool TrailerCrcModified(ulong trailer) => (trailer & CrcModifiedBit) != 0;
}
