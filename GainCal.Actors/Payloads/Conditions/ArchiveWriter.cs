using System.Text;

namespace GainCal.Payloads.Conditions;

/// <summary>Writes an archive into a growing buffer; see <see cref="Archive"/> for the layout.</summary>
internal sealed class ArchiveWriter : Archive
{
    private byte[] _buffer;
    private int _length;

    public ArchiveWriter(int capacity)
    {
        _buffer = new byte[Math.Max(16, capacity)];
        _buffer[_length++] = MagicByte;
        WriteUnsigned(WrittenLibraryVersion);
    }

    public override bool IsLoading => false;

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    protected override void Signed(ref long value, int width, string cppType) => WriteSigned(value);

    protected override void Unsigned(ref ulong value, int width, string cppType) => WriteUnsigned(value);

    /// <summary>false is 00; true is 01 'T'.</summary>
    public override void Value(ref bool value)
    {
        Reserve(2);
        _buffer[_length++] = value ? (byte)1 : (byte)0;
        if (value) _buffer[_length++] = (byte)'T';
    }

    public override void Value(ref string value)
    {
        int bytes = Encoding.UTF8.GetByteCount(value);
        WriteUnsigned((ulong)bytes);
        Reserve(bytes);
        _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
    }

    /// <summary>The bit pattern as an unsigned integer; every NaN becomes the one pattern exponent|mantissa (sign dropped).</summary>
    public override void Value(ref float value) =>
        WriteUnsigned(float.IsNaN(value) ? 0x7FFF_FFFFu : BitConverter.SingleToUInt32Bits(value));

    public override void Value(ref double value) =>
        WriteUnsigned(double.IsNaN(value) ? 0x7FFF_FFFF_FFFF_FFFFul : BitConverter.DoubleToUInt64Bits(value));

    public override void Chars(ref byte[] chars)
    {
        WriteUnsigned((ulong)chars.Length);
        WriteUnsigned(0);
        // One spare byte: every char writes two, of which a zero char keeps only the first.
        Reserve(2 * chars.Length + 1);
        var buffer = _buffer;
        int at = _length;
        foreach (byte b in chars)
        {
            // A signed char: 0 alone; otherwise size 1 (0..127) or -1 (-128..-1), then the byte. Branch-free,
            // because zero and non-zero bytes alternate unpredictably in a payload.
            int nonZero = (b + 0xFF) >> 8;
            buffer[at] = (byte)((((sbyte)b >> 7) | 1) & -nonZero);
            buffer[at + 1] = b;
            at += 1 + nonZero;
        }
        _length = at;
    }

    private protected override void Preamble(string cppType)
    {
        Reserve(2);
        _buffer[_length++] = 0; // tracking: false
        _buffer[_length++] = 0; // class version 0
    }

    private protected override void Count(ref int count, string collection) => WriteUnsigned((ulong)count);

    private protected override void ItemVersion() => WriteUnsigned(0);

    private protected override long Position => _length;

    /// <summary>
    /// Size byte then the low bytes: as many as it takes for the bytes above them to be all 0 (positive) or all
    /// 0xff (negative), which for negatives is not the shortest two's complement (-129 is ff 7f).
    /// </summary>
    private void WriteSigned(long value)
    {
        if (value >= 0) { WriteUnsigned((ulong)value); return; }
        int size = 0;
        long rest = value;
        do { rest >>= 8; size++; } while (rest != -1);
        Reserve(1 + size);
        _buffer[_length++] = (byte)(sbyte)-size;
        for (int i = 0; i < size; i++) _buffer[_length++] = (byte)(value >> (8 * i));
    }

    private void WriteUnsigned(ulong value)
    {
        int size = 0;
        for (ulong rest = value; rest != 0; rest >>= 8) size++;
        Reserve(1 + size);
        _buffer[_length++] = (byte)size;
        for (int i = 0; i < size; i++) _buffer[_length++] = (byte)(value >> (8 * i));
    }

    private void Reserve(int bytes)
    {
        if (_length + bytes <= _buffer.Length) return;
        long wanted = Math.Max((long)_buffer.Length * 2, (long)_length + bytes);
        if (wanted > Array.MaxLength) throw new InvalidOperationException($"archive larger than {Array.MaxLength} bytes");
        Array.Resize(ref _buffer, (int)wanted);
    }
}
