using System.Buffers.Binary;

namespace GainCal.Tests.Dump;

/// <summary>Temporary directory with raw dump files built word by word, independent of DumpWriter.</summary>
internal sealed class DumpFiles : IDisposable
{
    public DumpFiles() => Directory.CreateDirectory(Dir);

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "gaincal-dump-" + Guid.NewGuid().ToString("N"));

    public string Write(string name, IEnumerable<ulong> words, int extraBytes = 0)
    {
        var list = words.ToList();
        var bytes = new byte[list.Count * 8 + extraBytes];
        for (int i = 0; i < list.Count; i++) BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * 8), list[i]);
        for (int i = 0; i < extraBytes; i++) bytes[list.Count * 8 + i] = 0xAB;
        string path = Path.Combine(Dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>Header, payload, trailer of one fragment, with the header/trailer bits written out by hand.</summary>
    public static IEnumerable<ulong> Fragment(uint l1, int fed, params ulong[] payload)
    {
        yield return 0x5000000000000000UL | ((ulong)l1 << 32) | ((ulong)fed << 8);
        foreach (ulong p in payload) yield return p;
        yield return 0xA000000000000000UL | ((ulong)(payload.Length + 2) << 32);
    }

    public static ulong Pair(uint low, uint high) => low | ((ulong)high << 32);
}
