using System.Diagnostics;

namespace GainCal.Tests.Reports;

/// <summary>Runs poppler-utils (installed by deploy/deps/poppler.sh); tests skip with a message when it is absent.</summary>
internal static class Poppler
{
    public static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);

    public static void RequireOrSkip()
    {
        if (Find("pdftoppm") is null || Find("pdftotext") is null)
            Assert.Skip("pdftoppm/pdftotext not installed: run deploy/deps/poppler.sh (installs Debian's poppler-utils) to render the PDF");
    }

    public static string Run(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(Find(tool)!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{tool} failed ({p.ExitCode}): {error.Result}");
        return output.Result;
    }

    /// <summary>
    /// Every word (pdftotext -bbox) that does not lie inside its page less <paramref name="margin"/> points on each side,
    /// as "page N: word (xMin-xMax, yMin-yMax of W x H)".
    /// </summary>
    public static IReadOnlyList<string> WordsOutside(string pdf, double margin)
    {
        var html = Run("pdftotext", "-bbox", pdf, "-");
        var outside = new List<string>();
        var pages = System.Text.RegularExpressions.Regex.Split(html, "<page ").Skip(1).ToList();
        Assert.NotEmpty(pages);
        for (var p = 0; p < pages.Count; p++)
        {
            var size = System.Text.RegularExpressions.Regex.Match(pages[p], "width=\"([\\d.]+)\" height=\"([\\d.]+)\"");
            double width = D(size.Groups[1].Value), height = D(size.Groups[2].Value);
            foreach (System.Text.RegularExpressions.Match w in System.Text.RegularExpressions.Regex.Matches(pages[p],
                         "<word xMin=\"([-\\d.]+)\" yMin=\"([-\\d.]+)\" xMax=\"([-\\d.]+)\" yMax=\"([-\\d.]+)\">(.*?)</word>"))
            {
                double x0 = D(w.Groups[1].Value), y0 = D(w.Groups[2].Value), x1 = D(w.Groups[3].Value), y1 = D(w.Groups[4].Value);
                if (x0 < margin || y0 < margin || x1 > width - margin || y1 > height - margin)
                    outside.Add($"page {p + 1}: {w.Groups[5].Value} ({x0:F0}-{x1:F0}, {y0:F0}-{y1:F0} of {width:F0} x {height:F0})");
            }
        }
        return outside;
    }

    private static double D(string s) => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Renders every page to a grey-level image and returns, per page, the fraction of pixels that are not white.</summary>
    public static IReadOnlyList<double> InkPerPage(string pdf, string workDirectory)
    {
        var prefix = Path.Combine(workDirectory, "page");
        Run("pdftoppm", "-r", "25", "-gray", pdf, prefix);
        return Directory.GetFiles(workDirectory, "page-*.pgm").Order(StringComparer.Ordinal)
            .OrderBy(f => f.Length).Select(Ink).ToList();
    }

    private static double Ink(string pgm)
    {
        var bytes = File.ReadAllBytes(pgm);
        // Binary PGM: "P5", width, height, maxval, each followed by whitespace, then one byte per pixel.
        var fields = new List<string>();
        var pos = 0;
        while (fields.Count < 4)
        {
            while (char.IsWhiteSpace((char)bytes[pos])) pos++;
            var start = pos;
            while (!char.IsWhiteSpace((char)bytes[pos])) pos++;
            fields.Add(System.Text.Encoding.ASCII.GetString(bytes, start, pos - start));
        }
        pos++;
        Assert.Equal("P5", fields[0]);
        var n = int.Parse(fields[1]) * int.Parse(fields[2]);
        var dark = 0;
        for (var i = 0; i < n; i++) if (bytes[pos + i] < 200) dark++;
        return (double)dark / n;
    }
}
