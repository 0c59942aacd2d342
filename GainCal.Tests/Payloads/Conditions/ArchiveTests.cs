using GainCal.Payloads.Conditions;

namespace GainCal.Tests.Payloads.Conditions;

/// <summary>The archive's encodings, value by value, against condb.md (sections 2 and 4).</summary>
public class ArchiveTests
{
    private static string Body<T>(T value, ArchiveItem<T> item)
    {
        var blob = Archive.Save(value, item);
        Assert.Equal("7F0112", Convert.ToHexString(blob, 0, 3));
        return Convert.ToHexString(blob, 3, blob.Length - 3);
    }

    [Fact]
    public void Integers_are_a_signed_size_byte_and_the_low_bytes()
    {
        Assert.Equal("00", Body(0u, ArchiveItem.UInt32));
        Assert.Equal("0150", Body(80u, ArchiveItem.UInt32));
        Assert.Equal("0404020112", Body(302055940u, ArchiveItem.UInt32));
        Assert.Equal("04FFFFFFFF", Body(uint.MaxValue, ArchiveItem.UInt32));
        Assert.Equal("08FFFFFFFFFFFFFFFF", Body(ulong.MaxValue, ArchiveItem.UInt64));
        Assert.Equal("0105", Body((sbyte)5, ArchiveItem.Char));
        Assert.Equal("FF80", Body(unchecked((sbyte)0x80), ArchiveItem.Char));
        Assert.Equal("FFFF", Body((sbyte)-1, ArchiveItem.Char));
        Assert.Equal("01FF", Body((byte)0xff, ArchiveItem.UChar));
        // Negative: as many low bytes as it takes for all higher ones to be 0xff.
        Assert.Equal("FF7F", Body(-129, ArchiveItem.Int32));
        Assert.Equal("FEFF7F", Body(-32769, ArchiveItem.Int32));
        Assert.Equal("FF80", Body(-128L, ArchiveItem.Int64));
        Assert.Equal("F80000000000000080", Body(long.MinValue, ArchiveItem.Int64));
        Assert.Equal("020001", Body((short)256, ArchiveItem.Int16));
    }

    [Fact]
    public void Floats_are_their_bit_pattern_with_one_NaN_and_a_signed_zero()
    {
        Assert.Equal("00", Body(0f, ArchiveItem.Float));
        Assert.Equal("040000C8C2", Body(-100f, ArchiveItem.Float));
        Assert.Equal("0400000080", Body(-0f, ArchiveItem.Float));
        Assert.Equal("04FFFFFF7F", Body(float.NaN, ArchiveItem.Float));
        Assert.Equal("04FFFFFF7F", Body(BitConverter.UInt32BitsToSingle(0xFFC0_0001), ArchiveItem.Float));
        Assert.Equal("040000807F", Body(float.PositiveInfinity, ArchiveItem.Float));
        Assert.Equal("08FFFFFFFFFFFFFF7F", Body(double.NaN, ArchiveItem.Double));
        Assert.Equal("08000000000000F03F", Body(1.0, ArchiveItem.Double));
    }

    [Fact]
    public void Bool_string_and_collections()
    {
        Assert.Equal("0154", Body(true, ArchiveItem.Bool));
        Assert.Equal("00", Body(false, ArchiveItem.Bool));
        Assert.Equal("0106706861736531", Body("phase1", ArchiveItem.String));
        Assert.Equal("00", Body("", ArchiveItem.String));

        // Vector of arithmetic: no preamble, count, item_version, elements; vector<bool> has no item_version.
        Assert.Equal("01020001050150", Body(Vector<int>([5, 80]), VectorItem(ArchiveItem.Int32)));
        Assert.Equal("0102015400", Body(Vector<bool>([true, false]), VectorItem(ArchiveItem.Bool)));
        // std::string is not arithmetic: the vector is a class (preamble 00 00).
        Assert.Equal("0000010200010161" + "00", Body(Vector<string>(["a", ""]), VectorItem(ArchiveItem.String)));
    }

    [Fact]
    public void Vector_of_char_fast_path_writes_and_reads_the_bytes_of_the_element_wise_vector()
    {
        byte[] bytes = [0, 5, 0x7f, 0x80, 0xff, 0];
        var chars = ArchiveItem.Class<byte[]>("Chars", static (Archive ar, ref byte[] v) => ar.Chars(ref v));
        var elements = VectorItem(ArchiveItem.Char);
        var fast = Archive.Save(bytes, chars);
        Assert.Equal(Convert.ToHexString(Archive.Save(Vector(bytes.Select(b => (sbyte)b)), elements)),
            Convert.ToHexString(fast, 0, 3) + Convert.ToHexString(fast, 5, fast.Length - 5)); // minus the holder's preamble
        Assert.Equal(bytes, Archive.Load(fast, chars, out _));
        // Each char costs one byte when zero, two otherwise: 2 zeros + 4 others + count + item_version.
        Assert.Equal(3 + 2 + 2 + 1 + 2 + 4 * 2, fast.Length);
    }

    [Fact]
    public void Class_preambles_are_written_once_per_type_across_the_archive()
    {
        var point = ArchiveItem.Class<(int X, int Y)>("Point", static (Archive ar, ref (int X, int Y) p) =>
        {
            int x = p.X, y = p.Y;
            ar.Value(ref x);
            ar.Value(ref y);
            p = (x, y);
        });
        var pair = ArchiveItem.Class<((int, int) A, (int, int) B)>("Segment", (Archive ar, ref ((int, int) A, (int, int) B) s) =>
        {
            ar.BaseObject("Shape");
            var a = s.A;
            var b = s.B;
            ar.Item(ref a, point);
            ar.Item(ref b, point);
            s = (a, b);
        });
        // Segment preamble, Shape preamble, Point preamble + 1 2, then 3 4 with no preamble.
        Assert.Equal("0000" + "0000" + "0000" + "01010102" + "01030104", Body(((1, 2), (3, 4)), pair));
    }

    [Fact]
    public void Reader_refuses_a_foreign_header_a_too_wide_integer_and_trailing_bytes_naming_the_offset()
    {
        var e = Assert.Throws<ArchiveFormatException>(() => Archive.Load([0x16, 0, 0], ArchiveItem.UInt32, out _));
        Assert.Equal(0, e.Offset);
        Assert.Equal("at byte 0 of the archive: expected the archive's first byte 0x7f, found 0x16", e.Message);

        e = Assert.Throws<ArchiveFormatException>(() => Archive.Load([0x7f, 0x01, 0x12, 0x05, 1, 2, 3, 4, 5], ArchiveItem.UInt32, out _));
        Assert.Equal("at byte 3 of the archive: expected unsigned int of at most 4 bytes, found size byte 5", e.Message);

        e = Assert.Throws<ArchiveFormatException>(() => Archive.Load([0x7f, 0x01, 0x12, 0xff, 1], ArchiveItem.UInt32, out _));
        Assert.Equal(3, e.Offset);
        Assert.Contains("unsigned", e.Message);

        e = Assert.Throws<ArchiveFormatException>(() => Archive.Load([0x7f, 0x01, 0x12, 0x00, 0x00], ArchiveItem.UInt32, out _));
        Assert.Equal("at byte 4 of the archive: expected the end of the archive after the unsigned int, found 1 more bytes", e.Message);

        e = Assert.Throws<ArchiveFormatException>(() => Archive.Load([0x7f, 0x01, 0x12, 0x01, 0x50, 0], VectorItem(ArchiveItem.Int32), out _));
        Assert.Equal(3, e.Offset);
        Assert.Contains("element count", e.Message);

        // A newer library version than ours is read (the layout of these types has not changed), an ancient one is not.
        Assert.Equal(80u, Archive.Load([0x7f, 0x01, 0x14, 0x01, 0x50], ArchiveItem.UInt32, out uint version));
        Assert.Equal(20u, version);
        e = Assert.Throws<ArchiveFormatException>(() => Archive.Load([0x7f, 0x01, 0x03, 0x00], ArchiveItem.UInt32, out _));
        Assert.Equal(1, e.Offset);
    }

    internal static List<T> Vector<T>(IEnumerable<T> items) => [.. items];

    internal static ArchiveItem<List<T>> VectorItem<T>(ArchiveItem<T> element) =>
        new($"std::vector<{element.CppType}>", ArchiveShape.Primitive, (Archive ar, ref List<T> v) => ar.Vector(ref v, element));
}
