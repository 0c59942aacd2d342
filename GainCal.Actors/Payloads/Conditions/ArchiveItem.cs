namespace GainCal.Payloads.Conditions;

/// <summary>Reads or writes one value through the archive, in both directions (boost's <c>ar &amp; member</c>).</summary>
public delegate void ArchiveBody<T>(Archive ar, ref T value);

/// <summary>How boost serializes a type, which decides the bytes around it.</summary>
public enum ArchiveShape
{
    /// <summary>bool, char, integers, float, double: no preamble; a std::vector of them has none either (collection_traits).</summary>
    Arithmetic,
    /// <summary>Serialized inline with no preamble, but not arithmetic (std::string): a vector of them is a class.</summary>
    Primitive,
    /// <summary>A class: tracking and version bytes at its first occurrence in the archive, then its members.</summary>
    Class,
}

/// <summary>
/// A C++ type as the archive sees it: its name (preambles are counted per name across an archive), its shape and
/// the body that lists its members in declaration order. Classes declare their item next to their C# counterpart.
/// </summary>
public sealed class ArchiveItem<T>(string cppType, ArchiveShape shape, ArchiveBody<T> body)
{
    public string CppType { get; } = cppType;
    public ArchiveShape Shape { get; } = shape;
    internal ArchiveBody<T> Body { get; } = body;
}

/// <summary>The primitive items and the factory for class items.</summary>
public static class ArchiveItem
{
    public static ArchiveItem<bool> Bool { get; } = new("bool", ArchiveShape.Arithmetic, static (Archive ar, ref bool v) => ar.Value(ref v));
    public static ArchiveItem<sbyte> Char { get; } = new("char", ArchiveShape.Arithmetic, static (Archive ar, ref sbyte v) => ar.Value(ref v));
    public static ArchiveItem<byte> UChar { get; } = new("unsigned char", ArchiveShape.Arithmetic, static (Archive ar, ref byte v) => ar.Value(ref v));
    public static ArchiveItem<short> Int16 { get; } = new("short", ArchiveShape.Arithmetic, static (Archive ar, ref short v) => ar.Value(ref v));
    public static ArchiveItem<ushort> UInt16 { get; } = new("unsigned short", ArchiveShape.Arithmetic, static (Archive ar, ref ushort v) => ar.Value(ref v));
    public static ArchiveItem<int> Int32 { get; } = new("int", ArchiveShape.Arithmetic, static (Archive ar, ref int v) => ar.Value(ref v));
    public static ArchiveItem<uint> UInt32 { get; } = new("unsigned int", ArchiveShape.Arithmetic, static (Archive ar, ref uint v) => ar.Value(ref v));
    public static ArchiveItem<long> Int64 { get; } = new("long", ArchiveShape.Arithmetic, static (Archive ar, ref long v) => ar.Value(ref v));
    public static ArchiveItem<ulong> UInt64 { get; } = new("unsigned long", ArchiveShape.Arithmetic, static (Archive ar, ref ulong v) => ar.Value(ref v));
    public static ArchiveItem<float> Float { get; } = new("float", ArchiveShape.Arithmetic, static (Archive ar, ref float v) => ar.Value(ref v));
    public static ArchiveItem<double> Double { get; } = new("double", ArchiveShape.Arithmetic, static (Archive ar, ref double v) => ar.Value(ref v));
    public static ArchiveItem<string> String { get; } = new("std::string", ArchiveShape.Primitive, static (Archive ar, ref string v) => ar.Value(ref v));

    /// <summary>A class whose <paramref name="members"/> body lists its non-transient members in declaration order
    /// (base classes first, through <see cref="Archive.BaseObject"/>). When loading, the body receives default(T) and assigns the value it read.</summary>
    public static ArchiveItem<T> Class<T>(string cppType, ArchiveBody<T> members) => new(cppType, ArchiveShape.Class, members);
}
