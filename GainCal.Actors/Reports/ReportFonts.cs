namespace GainCal.Reports;

/// <summary>
/// The TrueType fonts the reports use. SkiaSharp's dependency-free build and PDFsharp on Linux find no system font
/// by themselves, so both are given DejaVu (Debian's fonts-dejavu-core, installed by deploy/deps/poppler.sh).
/// </summary>
internal static class ReportFonts
{
    public const string Family = "DejaVu Sans";
    public const string MonoFamily = "DejaVu Sans Mono";

    private static readonly string[] Roots = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/TTF", "/usr/share/fonts"];
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Files = new(Locate);
    private static readonly object ScottPlotLock = new();
    private static bool _scottPlotReady;

    /// <summary>Face file name by key: "regular", "bold", "mono".</summary>
    private static readonly (string Key, string File)[] Faces =
        [("regular", "DejaVuSans.ttf"), ("bold", "DejaVuSans-Bold.ttf"), ("mono", "DejaVuSansMono.ttf")];

    public static string PathOf(string key) => Files.Value[key];

    /// <summary>Registers the fonts with ScottPlot once per process.</summary>
    public static void UseWithScottPlot()
    {
        lock (ScottPlotLock)
        {
            if (_scottPlotReady) return;
            ScottPlot.Fonts.AddFontFile(Family, PathOf("regular"), bold: false, italic: false);
            ScottPlot.Fonts.AddFontFile(Family, PathOf("bold"), bold: true, italic: false);
            ScottPlot.Fonts.Default = Family;
            _scottPlotReady = true;
        }
    }

    private static IReadOnlyDictionary<string, string> Locate()
    {
        var found = new Dictionary<string, string>();
        foreach (var (key, file) in Faces)
        {
            foreach (var root in Roots.Where(Directory.Exists))
            {
                var path = Path.Combine(root, file);
                if (!File.Exists(path))
                    path = Directory.EnumerateFiles(root, file, SearchOption.AllDirectories).FirstOrDefault() ?? "";
                if (path.Length > 0) { found[key] = path; break; }
            }
            if (!found.ContainsKey(key))
                throw new FileNotFoundException(
                    $"font {file} not found under {string.Join(", ", Roots)}: install Debian's fonts-dejavu-core (deploy/deps/poppler.sh does)");
        }
        return found;
    }
}
