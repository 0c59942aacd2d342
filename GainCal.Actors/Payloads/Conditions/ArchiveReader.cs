using System.Text;

namespace GainCal.Payloads.Conditions;

/// <summary>
/// Reads an archive; every inconsistency (short data, a size byte too wide for its type, a negative unsigned, a
/// preamble that is not tracking 0 / version 0, a count the remaining bytes cannot hold) is an
/// <see cref="ArchiveFormatException"/> naming the offset and what was expected there.
/// </summary>
internal sealed class ArchiveReader : Archive
{
    private readonly byte[] _blob;
    private readonly Stack<string> _classes = new();
    private int _at;

    public ArchiveReader(byte[] blob)
    {
        _blob = blob;
        if (blob.Length == 0 || blob[0] != MagicByte)
            throw Error(0, "the archive's first byte 0x7f", blob.Length == 0 ? "no data" : $"0x{blob[0]:x2}");
        _at = 1;
        long at = _at;
        ulong version = ReadUnsigned(4, "the archive library version");
        if (version < OldestReadLibraryVersion)
            throw Error(at, $"an archive library version of at least {OldestReadLibraryVersion}", $"{version}");
        LibraryVersion = (uint)version;
    }

    public override bool IsLoading => true;

    /// <summary>The boost library version the archive was written with (18 = boost 1.74).</summary>
    public uint LibraryVersion { get; }

    public void ExpectEnd(string cppType)
    {
        if (_at != _blob.Length) throw Error(_at, $"the end of the archive after the {cppType}", $"{_blob.Length - _at} more bytes");
    }

    protected override void Signed(ref long value, int width, string cppType)
    {
        long at = _at;
        int size = (sbyte)Next(cppType);
        if (size == 0) { value = 0; return; }
        int n = Math.Abs(size);
        if (n > width) throw Error(at, $"{Described(cppType)} of at most {width} bytes", $"size byte {size}");
        ulong bits = ReadLow(n, cppType);
        if (size < 0 && n < 8) bits |= ~0ul << (8 * n);
        // Narrow to the type's width as the C++ reader does (its bytes land in a T).
        value = width == 8 ? (long)bits : (long)(bits << (64 - 8 * width)) >> (64 - 8 * width);
    }

    protected override void Unsigned(ref ulong value, int width, string cppType) => value = ReadUnsigned(width, cppType);

    public override void Value(ref bool value)
    {
        long at = _at;
        byte flag = Next("bool");
        if (flag == 0) { value = false; return; }
        if (flag != 1 || Next("bool") != 'T') throw Error(at, $"{Described("bool")} (00, or 01 'T')", $"{Convert.ToHexString(_blob, (int)at, Math.Min(2, _blob.Length - (int)at))}");
        value = true;
    }

    public override void Value(ref string value)
    {
        long at = _at;
        ulong length = ReadUnsigned(8, "std::string length");
        if (length > (ulong)(_blob.Length - _at)) throw Error(at, $"{Described("std::string")} that fits the {_blob.Length - _at} bytes left", $"length {length}");
        value = Encoding.UTF8.GetString(_blob, _at, (int)length);
        _at += (int)length;
    }

    public override void Value(ref float value) => value = BitConverter.UInt32BitsToSingle((uint)ReadUnsigned(4, "float"));

    public override void Value(ref double value) => value = BitConverter.UInt64BitsToDouble(ReadUnsigned(8, "double"));

    public override void Chars(ref byte[] chars)
    {
        int count = 0;
        Count(ref count, "std::vector<char>");
        ItemVersion();
        var result = new byte[count];
        var blob = _blob;
        int at = _at;
        for (int i = 0; i < count; i++)
        {
            if (at + 1 >= blob.Length)
            {
                // The last byte of the blob: only a zero char fits.
                if (at < blob.Length && blob[at] == 0) { at++; continue; }
                _at = at;
                throw Error(at, $"char {i} of {count} of a std::vector<char>", "the end of the data");
            }
            byte size = blob[at];
            // Size 0 (the char 0), 1 or -1 (0xff) then the char; branch-free on zero / non-zero, which alternate unpredictably.
            int nonZero = (size + 0xFF) >> 8;
            if ((byte)(size + 1) > 2)
                throw Error(at, $"char {i} of {count} of a std::vector<char> (00, 01 xx or ff xx)", $"size byte {(sbyte)size}");
            result[i] = (byte)(blob[at + 1] & -nonZero);
            at += 1 + nonZero;
        }
        _at = at;
        chars = result;
    }

    private protected override void Preamble(string cppType)
    {
        long at = _at;
        byte tracking = Next($"the tracking byte of {cppType}");
        if (tracking != 0) throw Error(at, $"tracking 00 at the first {cppType} (never serialized through a pointer)", $"0x{tracking:x2}");
        at = _at;
        ulong version = ReadUnsigned(4, $"the class version of {cppType}");
        if (version != 0) throw Error(at, $"class version 0 of {cppType}", $"version {version}");
    }

    private protected override void Count(ref int count, string collection)
    {
        long at = _at;
        ulong n = ReadUnsigned(8, $"the element count of a {collection}");
        if (n > (ulong)(_blob.Length - _at))
            throw Error(at, $"an element count of a {collection} that the {_blob.Length - _at} bytes left can hold", $"{n}");
        count = (int)n;
    }

    private protected override void ItemVersion()
    {
        long at = _at;
        ulong version = ReadUnsigned(4, "item_version");
        if (version != 0) throw Error(at, "item_version 0", $"{version}");
    }

    private protected override long Position => _at;

    private protected override void Enter(string cppType) => _classes.Push(cppType);

    private protected override void Leave() => _classes.Pop();

    private ulong ReadUnsigned(int width, string cppType)
    {
        long at = _at;
        int size = (sbyte)Next(cppType);
        if (size == 0) return 0;
        if (size < 0) throw Error(at, $"{Described(cppType)} (unsigned: a positive size byte)", $"size byte {size}");
        if (size > width) throw Error(at, $"{Described(cppType)} of at most {width} bytes", $"size byte {size}");
        return ReadLow(size, cppType);
    }

    private ulong ReadLow(int n, string cppType)
    {
        if (_blob.Length - _at < n) throw Error(_at, $"{n} bytes of {Described(cppType)}", $"{_blob.Length - _at} bytes left");
        ulong bits = 0;
        for (int i = 0; i < n; i++) bits |= (ulong)_blob[_at + i] << (8 * i);
        _at += n;
        return bits;
    }

    private byte Next(string what)
    {
        if (_at >= _blob.Length) throw Error(_at, Described(what), "the end of the data");
        return _blob[_at++];
    }

    private string Described(string what) => _classes.Count == 0 ? what : $"{what} in {_classes.Peek()}";

    private static ArchiveFormatException Error(long at, string expected, string found) => new(at, expected, found);
}
