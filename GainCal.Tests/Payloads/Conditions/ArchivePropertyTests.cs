using CsCheck;
using GainCal.Payloads.Conditions;

namespace GainCal.Tests.Payloads.Conditions;

/// <summary>
/// Random objects of every construct the codec knows round-trip; every truncation is refused with an offset inside
/// the blob; corrupted blobs either decode or are refused the same way, never with another exception.
/// </summary>
public class ArchivePropertyTests
{
    private sealed class Leaf
    {
        public int Signed;
        public float Value;
        public string Name = "";
    }

    private sealed class Everything
    {
        public sbyte Char;
        public byte UChar;
        public short Short;
        public ushort UShort;
        public int Int;
        public uint UInt;
        public long Long;
        public ulong ULong;
        public float Float;
        public double Double;
        public bool Bool;
        public string Text = "";
        public byte[] Chars = [];
        public List<int> Ints = [];
        public List<bool> Bools = [];
        public List<string> Strings = [];
        public List<Leaf> Leaves = [];
        public SortedDictionary<uint, Leaf> ByNumber = [];
        public SortedDictionary<string, double> ByName = [];
    }

    private static readonly ArchiveItem<Leaf> LeafItem = ArchiveItem.Class<Leaf>("Leaf", static (Archive ar, ref Leaf l) =>
    {
        l ??= new Leaf();
        ar.Value(ref l.Signed);
        ar.Value(ref l.Value);
        ar.Value(ref l.Name);
    });

    private static readonly ArchiveItem<Everything> EverythingItem = ArchiveItem.Class<Everything>("Everything", static (Archive ar, ref Everything e) =>
    {
        e ??= new Everything();
        ar.BaseObject("Base", static b => { bool flag = true; b.Value(ref flag); });
        ar.Value(ref e.Char);
        ar.Value(ref e.UChar);
        ar.Value(ref e.Short);
        ar.Value(ref e.UShort);
        ar.Value(ref e.Int);
        ar.Value(ref e.UInt);
        ar.Value(ref e.Long);
        ar.Value(ref e.ULong);
        ar.Value(ref e.Float);
        ar.Value(ref e.Double);
        ar.Value(ref e.Bool);
        ar.Value(ref e.Text);
        ar.Chars(ref e.Chars);
        ar.Vector(ref e.Ints, ArchiveItem.Int32);
        ar.Vector(ref e.Bools, ArchiveItem.Bool);
        ar.Vector(ref e.Strings, ArchiveItem.String);
        ar.Vector(ref e.Leaves, LeafItem);
        ar.Map(ref e.ByNumber, ArchiveItem.UInt32, LeafItem);
        ar.Map(ref e.ByName, ArchiveItem.String, ArchiveItem.Double);
    });

    /// <summary>Floats drawn from every class: normal, subnormal, ±0, ±infinity and NaNs with any payload and sign.</summary>
    private static readonly Gen<float> AnyFloat = Gen.UInt.Select(BitConverter.UInt32BitsToSingle);
    private static readonly Gen<double> AnyDouble = Gen.ULong.Select(BitConverter.UInt64BitsToDouble);
    private static readonly Gen<string> Text = Gen.String[Gen.Char.AlphaNumeric, 0, 12];

    private static readonly Gen<Leaf> Leaves =
        Gen.Select(Gen.Int, AnyFloat, Text, (i, f, s) => new Leaf { Signed = i, Value = f, Name = s });

    private static readonly Gen<Everything> Objects =
        Gen.Select(Gen.Select(Gen.SByte, Gen.Byte, Gen.Short, Gen.UShort, Gen.Int, Gen.UInt, Gen.Long, Gen.ULong),
                   Gen.Select(AnyFloat, AnyDouble, Gen.Bool, Text, Gen.Byte.Array[0, 40], Gen.Int.List[0, 6], Gen.Bool.List[0, 6]),
                   Gen.Select(Text.List[0, 4], Leaves.List[0, 4], Gen.Dictionary(Gen.UInt, Leaves)[0, 4], Gen.Dictionary(Text, AnyDouble)[0, 4]),
                   (a, b, c) => new Everything
                   {
                       Char = a.Item1, UChar = a.Item2, Short = a.Item3, UShort = a.Item4, Int = a.Item5, UInt = a.Item6, Long = a.Item7, ULong = a.Item8,
                       Float = b.Item1, Double = b.Item2, Bool = b.Item3, Text = b.Item4, Chars = b.Item5, Ints = b.Item6, Bools = b.Item7,
                       Strings = c.Item1, Leaves = c.Item2, ByNumber = new(c.Item3), ByName = new(c.Item4),
                   });

    [Fact]
    public void Random_objects_round_trip()
    {
        Objects.Sample(original =>
        {
            var blob = Archive.Save(original, EverythingItem);
            var back = Archive.Load(blob, EverythingItem, out uint version);
            Assert.Equal(Archive.WrittenLibraryVersion, version);
            Assert.Equal(Describe(original), Describe(back));
            Assert.Equal(blob, Archive.Save(back, EverythingItem));
        }, iter: 500);
    }

    [Fact]
    public void Every_truncation_is_refused_with_an_offset_inside_the_blob()
    {
        Objects.Sample(original =>
        {
            var blob = Archive.Save(original, EverythingItem);
            for (int length = 0; length < blob.Length; length++)
            {
                var e = Assert.Throws<ArchiveFormatException>(() => Archive.Load(blob[..length], EverythingItem, out _));
                Assert.InRange(e.Offset, 0, length);
                Assert.StartsWith($"at byte {e.Offset} of the archive: expected ", e.Message);
            }
        }, iter: 60);
    }

    [Fact]
    public void Corrupted_blobs_decode_or_are_refused_with_an_offset_never_otherwise()
    {
        Gen.Select(Objects, Gen.Int.List[1, 4], Gen.Byte.List[4, 4]).Sample((original, positions, values) =>
        {
            var blob = Archive.Save(original, EverythingItem);
            for (int i = 0; i < positions.Count; i++) blob[(int)((uint)positions[i] % blob.Length)] = values[i];
            try
            {
                Archive.Load(blob, EverythingItem, out _);
            }
            catch (ArchiveFormatException e)
            {
                Assert.InRange(e.Offset, 0, blob.Length);
            }
        }, iter: 2000);
    }

    /// <summary>A canonical text of an object; floats by their written bits (all NaNs are one).</summary>
    private static string Describe(Everything e) => string.Join("|",
        e.Char, e.UChar, e.Short, e.UShort, e.Int, e.UInt, e.Long, e.ULong, Bits(e.Float), Bits(e.Double), e.Bool, e.Text,
        Convert.ToHexString(e.Chars), string.Join(",", e.Ints), string.Join(",", e.Bools), string.Join(",", e.Strings),
        string.Join(",", e.Leaves.Select(Describe)), string.Join(",", e.ByNumber.Select(kv => $"{kv.Key}:{Describe(kv.Value)}")),
        string.Join(",", e.ByName.Select(kv => $"{kv.Key}:{Bits(kv.Value)}")));

    private static string Describe(Leaf l) => $"({l.Signed};{Bits(l.Value)};{l.Name})";

    private static uint Bits(float f) => float.IsNaN(f) ? 0x7FFF_FFFFu : BitConverter.SingleToUInt32Bits(f);

    private static ulong Bits(double d) => double.IsNaN(d) ? 0x7FFF_FFFF_FFFF_FFFFul : BitConverter.DoubleToUInt64Bits(d);
}
