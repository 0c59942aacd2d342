namespace GainCal.Payloads.Conditions;

/// <summary>Tells a conditions (SQLite) file from a text file by its header.</summary>
public static class ConditionsFile
{
    /// <summary>True if <paramref name="path"/> exists and starts with the SQLite header.</summary>
    public static bool IsSqlite(string path)
    {
        if (!File.Exists(path)) return false;
        Span<byte> magic = stackalloc byte[16];
        using var f = File.OpenRead(path);
        return f.ReadAtLeast(magic, 16, throwOnEndOfStream: false) == 16 && magic.SequenceEqual("SQLite format 3\0"u8);
    }
}
