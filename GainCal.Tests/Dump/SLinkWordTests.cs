using GainCal.Dump;

namespace GainCal.Tests.Dump;

public class SLinkWordTests
{
    [Fact]
    public void Header_fields_sit_where_fed_header_h_puts_them()
    {
        // eventid (high half) 0x5 | L1ID; sourceid (low half) BX 31..20, source 19..8.
        ulong h = SLinkWord.Header(0x123456, 1205, 0x7AB);
        Assert.Equal(0x501234567AB4B500UL, h);
        Assert.True(SLinkWord.IsHeader(h));
        Assert.Equal(0x123456u, SLinkWord.L1Id(h));
        Assert.Equal(1205, SLinkWord.SourceId(h));
        Assert.Equal(0x7AB, SLinkWord.BxId(h));
    }

    [Fact]
    public void Trailer_fields_sit_where_fed_trailer_h_puts_them()
    {
        ulong t = SLinkWord.Trailer(3, 0xBEEF, 5, 8);
        Assert.Equal(0xA0000003BEEF0580UL, t);
        Assert.True(SLinkWord.IsTrailer(t));
        Assert.Equal(3, SLinkWord.TrailerLength(t));
        Assert.False(SLinkWord.TrailerCrcModified(t));
    }

    [Theory]
    [InlineData(0x5000000000000008UL)] // H bit: more headers
    [InlineData(0x5100000000000000UL)] // event type 1
    [InlineData(0x4000000000000000UL)]
    [InlineData(0x0000000000000000UL)]
    public void Header_mask_rejects(ulong w) => Assert.False(SLinkWord.IsHeader(w));

    [Theory]
    [InlineData(0xA000000000000004UL)] // CRC-modified bit
    [InlineData(0xA000000000000008UL)] // T bit
    [InlineData(0xA000000000004000UL)] // bit 14
    [InlineData(0xA000400000000000UL)] // length >= 2^14 words
    [InlineData(0xA100000000000000UL)]
    public void Trailer_mask_rejects(ulong w) => Assert.False(SLinkWord.IsTrailer(w));

    [Fact]
    public void Crc_modified_bit_is_bit_2()
    {
        Assert.True(SLinkWord.TrailerCrcModified(SLinkWord.Trailer(2) | 4));
        Assert.False(SLinkWord.TrailerCrcModified(SLinkWord.Trailer(2) | 8));
    }

    [Fact]
    public void Out_of_range_fields_throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SLinkWord.Header(0x1000000, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SLinkWord.Header(1, 4096));
        Assert.Throws<ArgumentOutOfRangeException>(() => SLinkWord.Trailer(1 << 24));
    }
}
