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
