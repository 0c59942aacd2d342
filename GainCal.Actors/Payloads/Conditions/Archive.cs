namespace GainCal.Payloads.Conditions;

/// <summary>
/// CMSSW's "EOS portable" binary boost archive (CondFormats/Serialization, flags 0), the encoding of every
/// conditions payload's DATA. One symmetric interface: a class lists its members once in an
/// <see cref="ArchiveBody{T}"/>, which both writes and reads. Knows nothing of the classes it carries.
/// Layout (docs/payloads.md): header 0x7f and the library version; every integer (also counts) as a signed size
/// byte and that many little-endian bytes; floats as their bit pattern; classes get a tracking and version byte
/// at the first occurrence of their type in the archive.
/// </summary>
public abstract class Archive
{
    /// <summary>First byte of every archive (portable archive's magic byte).</summary>
    public const byte MagicByte = 0x7f;

    /// <summary>
    /// Library version written: 18, boost 1.74's. Boost refuses archives newer than its own, so 18 is read by every
    /// release with boost ≥ 1.74 (every CMSSW release since 12_0); the reader accepts any version from 4 on.
    /// </summary>
    public const uint WrittenLibraryVersion = 18;

    /// <summary>Oldest version whose collections carry item_version (boost writes it for library versions above 3).</summary>
    public const uint OldestReadLibraryVersion = 4;

    private readonly HashSet<string> _classesSeen = new(StringComparer.Ordinal);

    private protected Archive() { }

    public abstract bool IsLoading { get; }

    /// <summary>Writes <paramref name="value"/> as a whole archive: header, then the object.</summary>
    public static byte[] Save<T>(T value, ArchiveItem<T> item, int capacity = 256)
    {
        var writer = new ArchiveWriter(capacity);
        writer.Item(ref value, item);
        return writer.ToArray();
    }

    /// <summary>Reads a whole archive holding one <paramref name="item"/>; the blob must end with it.
    /// Throws <see cref="ArchiveFormatException"/> with the offset and what was expected there.</summary>
    public static T Load<T>(byte[] blob, ArchiveItem<T> item, out uint libraryVersion)
    {
        var reader = new ArchiveReader(blob);
        T value = default!;
        reader.Item(ref value, item);
        reader.ExpectEnd(item.CppType);
        libraryVersion = reader.LibraryVersion;
        return value;
    }

    // ---- primitives ----------------------------------------------------------------------------------------

    /// <summary>An integer of <paramref name="width"/> bytes in two's complement.</summary>
    protected abstract void Signed(ref long value, int width, string cppType);

    protected abstract void Unsigned(ref ulong value, int width, string cppType);

    public abstract void Value(ref bool value);
    public abstract void Value(ref string value);
    public abstract void Value(ref float value);
    public abstract void Value(ref double value);

    public void Value(ref sbyte value) { long v = value; Signed(ref v, 1, "char"); value = (sbyte)v; }
    public void Value(ref byte value) { ulong v = value; Unsigned(ref v, 1, "unsigned char"); value = (byte)v; }
    public void Value(ref short value) { long v = value; Signed(ref v, 2, "short"); value = (short)v; }
    public void Value(ref ushort value) { ulong v = value; Unsigned(ref v, 2, "unsigned short"); value = (ushort)v; }
    public void Value(ref int value) { long v = value; Signed(ref v, 4, "int"); value = (int)v; }
    public void Value(ref uint value) { ulong v = value; Unsigned(ref v, 4, "unsigned int"); value = (uint)v; }
    public void Value(ref long value) => Signed(ref value, 8, "long");
    public void Value(ref ulong value) => Unsigned(ref value, 8, "unsigned long");

    // ---- classes and collections -----------------------------------------------------------------------------

    /// <summary>Any item: a class gets its preamble (first occurrence of its type only), then its body runs.</summary>
    public void Item<T>(ref T value, ArchiveItem<T> item)
    {
        if (item.Shape == ArchiveShape.Class)
        {
            ClassPreamble(item.CppType);
            Enter(item.CppType);
            item.Body(this, ref value);
            Leave();
        }
        else
            item.Body(this, ref value);
    }

    /// <summary>A base class (boost::serialization::base_object): its own preamble, then its members, before the derived ones.</summary>
    public void BaseObject(string cppType, Action<Archive>? members = null)
    {
        ClassPreamble(cppType);
        members?.Invoke(this);
    }

    /// <summary>std::vector&lt;T&gt;: a class preamble unless T is arithmetic, the count, item_version (not for bool), the elements.</summary>
    public void Vector<T>(ref List<T> items, ArchiveItem<T> item)
    {
        if (item.Shape != ArchiveShape.Arithmetic) ClassPreamble($"std::vector<{item.CppType}>");
        int count = items?.Count ?? 0;
        Count(ref count, $"std::vector<{item.CppType}>");
        if (!ReferenceEquals(item, ArchiveItem.Bool)) ItemVersion();
        if (IsLoading) items = new List<T>(count);
        for (int i = 0; i < count; i++)
        {
            T value = IsLoading ? default! : items![i];
            Item(ref value, item);
            if (IsLoading) items!.Add(value);
        }
    }

    /// <summary>std::vector&lt;char&gt; (bytes as signed chars, element by element): the same bytes as
    /// <see cref="Vector{T}"/> of <see cref="ArchiveItem.Char"/>, without a call per element.</summary>
    public abstract void Chars(ref byte[] chars);

    /// <summary>std::map&lt;K, V&gt;: class preamble, count, item_version, then each std::pair&lt;const K, V&gt; (a class) in key order.</summary>
    public void Map<TKey, TValue>(ref SortedDictionary<TKey, TValue> map, ArchiveItem<TKey> key, ArchiveItem<TValue> value)
        where TKey : notnull
    {
        string mapType = $"std::map<{key.CppType}, {value.CppType}>";
        string pairType = $"std::pair<const {key.CppType}, {value.CppType}>";
        ClassPreamble(mapType);
        int count = map?.Count ?? 0;
        Count(ref count, mapType);
        ItemVersion();
        if (IsLoading)
        {
            map = [];
            for (int i = 0; i < count; i++)
            {
                long at = Position;
                ClassPreamble(pairType);
                TKey k = default!;
                TValue v = default!;
                Item(ref k, key);
                Item(ref v, value);
                if (!map.TryAdd(k, v)) throw new ArchiveFormatException(at, $"a key not yet in the {mapType}", $"{k} again");
            }
            return;
        }
        foreach (var (mapKey, mapValue) in map!)
        {
            ClassPreamble(pairType);
            TKey k = mapKey;
            TValue v = mapValue;
            Item(ref k, key);
            Item(ref v, value);
        }
    }

    /// <summary>Tracking (0: never through a pointer) and class version (0) at the first occurrence of a type.</summary>
    private void ClassPreamble(string cppType)
    {
        if (_classesSeen.Add(cppType)) Preamble(cppType);
    }

    private protected abstract void Preamble(string cppType);

    /// <summary>A collection's element count; loading refuses counts the remaining bytes cannot hold (one byte per element at least).</summary>
    private protected abstract void Count(ref int count, string collection);

    private protected abstract void ItemVersion();

    private protected abstract long Position { get; }

    private protected virtual void Enter(string cppType) { }

    private protected virtual void Leave() { }
}
