using GainCal.Dump;

namespace GainCal.Tests.Dump;

public class PixelWordTests
{
    [Fact]
    public void Decodes_a_hand_built_dcol_pxid_word()
    {
        // link 3, ROC 2, DCOL 5, PXID 100, ADC 77 -> row 80 - 100/2 = 30, col 2*5 + 0 = 10
        const uint w = (3u << 26) | (2u << 21) | (5u << 16) | (100u << 8) | 77u;
        Assert.Equal(0x0C45644Du, w);
        Assert.Equal(3, PixelWord.Link(w));
        Assert.Equal(2, PixelWord.Roc(w));
        Assert.Equal(77, PixelWord.Adc(w));
        Assert.Equal(RocField.Hit, PixelWord.Classify(w));
        Assert.True(PixelWord.TryDecode(w, layer1: false, out int row, out int col));
        Assert.Equal((30, 10), (row, col));
    }

    [Fact]
    public void Decodes_a_hand_built_layer1_word()
    {
        // link 40, ROC 1, COL 51 at bit 15, ROW 79 at bit 8, ADC 255
        const uint w = (40u << 26) | (1u << 21) | (51u << 15) | (79u << 8) | 255u;
        Assert.True(PixelWord.TryDecode(w, layer1: true, out int row, out int col));
        Assert.Equal((79, 51), (row, col));
        Assert.Equal(40, PixelWord.Link(w));
        Assert.Equal(1, PixelWord.Roc(w));
        Assert.Equal(255, PixelWord.Adc(w));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_valid_pixel_round_trips(bool layer1)
    {
        var seen = new HashSet<uint>();
        for (int row = 0; row < 80; row++)
        for (int col = 0; col < 52; col++)
        {
            int link = 1 + (row + col) % 48, roc = 1 + (row * 7 + col) % 8, adc = (row * 52 + col) % 256;
            uint w = PixelWord.EncodeHit(link, roc, row, col, adc, layer1);
            Assert.True(seen.Add(w & 0x1FFF00));
            if (layer1)
                Assert.Equal((uint)((col << 15) | (row << 8)), w & 0x1FFF00);
            else
                Assert.Equal((uint)(((col / 2) << 16) | ((2 * (80 - row) + col % 2) << 8)), w & 0x1FFF00);
            Assert.True(PixelWord.TryDecode(w, layer1, out int r, out int c));
            Assert.Equal((row, col, link, roc, adc), (r, c, PixelWord.Link(w), PixelWord.Roc(w), PixelWord.Adc(w)));
        }
        Assert.Equal(80 * 52, seen.Count);
    }

    [Fact]
    public void Invalid_dcol_or_pxid_is_rejected()
    {
        uint top = (5u << 26) | (3u << 21) | 10u;
        for (uint dcol = 0; dcol < 32; dcol++)
        for (uint pxid = 0; pxid < 256; pxid++)
        {
            bool valid = dcol < 26 && pxid >= 2 && pxid < 162;
            Assert.Equal(valid, PixelWord.TryDecode(top | (dcol << 16) | (pxid << 8), false, out _, out _));
        }
    }

    [Fact]
    public void Invalid_layer1_row_or_col_is_rejected()
    {
        uint top = (5u << 26) | (3u << 21) | 10u;
        for (uint col = 0; col < 64; col++)
        for (uint row = 0; row < 128; row++)
            Assert.Equal(row < 80 && col < 52, PixelWord.TryDecode(top | (col << 15) | (row << 8), true, out _, out _));
    }

    [Theory]
    [InlineData(RocField.Disabled, 25)]
    [InlineData(RocField.Gap, 26)]
    [InlineData(RocField.Dummy, 27)]
    [InlineData(RocField.FifoFull, 28)]
    [InlineData(RocField.Timeout, 29)]
    [InlineData(RocField.TbmTrailer, 30)]
    [InlineData(RocField.EventNumberError, 31)]
    public void Filler_and_error_words_are_classified_and_never_hits(RocField kind, int rocField)
    {
        // Pixel bits that would decode as a valid pixel if the word were taken for a hit.
        uint w = PixelWord.EncodeSpecial(7, kind, (4 << 16) | (60 << 8) | 12);
        Assert.Equal((uint)((7 << 26) | (rocField << 21) | (4 << 16) | (60 << 8) | 12), w);
        Assert.Equal(kind, PixelWord.Classify(w));
        Assert.False(PixelWord.TryDecode(w, false, out _, out _));
        Assert.False(PixelWord.TryDecode(w, true, out _, out _));
    }

    [Fact]
    public void Roc_field_0_to_24_is_a_hit_for_the_word()
    {
        for (uint roc = 0; roc < 25; roc++)
            Assert.Equal(RocField.Hit, PixelWord.Classify((1u << 26) | (roc << 21)));
    }

    [Fact]
    public void Padding_word_is_not_a_hit() => Assert.False(PixelWord.TryDecode(0, true, out _, out _));

    [Fact]
    public void Encoding_rejects_out_of_range()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PixelWord.EncodeHit(1, 1, 80, 0, 0, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => PixelWord.EncodeHit(1, 1, 0, 52, 0, true));
        Assert.Throws<ArgumentOutOfRangeException>(() => PixelWord.EncodeHit(1, 25, 0, 0, 0, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => PixelWord.EncodeHit(64, 1, 0, 0, 0, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => PixelWord.EncodeHit(1, 1, 0, 0, 256, false));
        Assert.Throws<ArgumentException>(() => PixelWord.EncodeHit(0, 0, 0, 0, 0, true));
        Assert.Throws<ArgumentOutOfRangeException>(() => PixelWord.EncodeSpecial(1, RocField.Hit));
        Assert.Throws<ArgumentOutOfRangeException>(() => PixelWord.EncodeSpecial(1, RocField.Gap, 1 << 21));
    }
}
