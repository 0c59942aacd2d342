using System.Globalization;

namespace GainCal.Dump;

/// <summary>The reference's dump file name, GainCalibration_&lt;FED&gt;_&lt;RUN&gt;.dmp (e.g. GainCalibration_1205_11169.dmp).</summary>
public sealed record DumpFileName(int Fed, uint Run)
{
    private const string Prefix = "GainCalibration_";
    private const string Suffix = ".dmp";

    public string FileName => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Fed}_{Run}{Suffix}");

    public static bool TryParse(string path, out DumpFileName? name)
    {
        name = null;
        string file = Path.GetFileName(path);
        if (!file.StartsWith(Prefix, StringComparison.Ordinal) || !file.EndsWith(Suffix, StringComparison.Ordinal))
            return false;
        ReadOnlySpan<char> middle = file.AsSpan(Prefix.Length, file.Length - Prefix.Length - Suffix.Length);
        int sep = middle.IndexOf('_');
        if (sep <= 0) return false;
        ReadOnlySpan<char> fed = middle[..sep], run = middle[(sep + 1)..];
        if (!AllDigits(fed) || !AllDigits(run)) return false;
        if (!int.TryParse(fed, NumberStyles.None, CultureInfo.InvariantCulture, out int f) || f > 0xFFF) return false;
        if (!uint.TryParse(run, NumberStyles.None, CultureInfo.InvariantCulture, out uint r)) return false;
        name = new DumpFileName(f, r);
        return true;
    }

    private static bool AllDigits(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty) return false;
        foreach (char c in s)
            if (c is < '0' or > '9') return false;
        return true;
    }
}
