using System.Globalization;
using System.Text;
using GainCal.Payloads;

namespace GainCal.Tests.Payloads;

/// <summary>Builds per-pixel CSV inputs for payload tests.</summary>
internal static class PayloadTestData
{
    public delegate (int Status, float Gain, float Pedestal)? PixelRule(int row, int col);

    /// <summary>Writes a CSV with every pixel of each module for which the rule returns a value.</summary>
    public static string WriteCsv(string path, params (uint DetId, PixelRule Rule)[] modules)
    {
        var sb = new StringBuilder("detid,row,col,status,gain,pedestal\n");
        foreach (var (detId, rule) in modules)
            for (int col = 0; col < 416; col++)
                for (int row = 0; row < 160; row++)
                    if (rule(row, col) is { } px)
                        sb.Append(CultureInfo.InvariantCulture, $"{detId},{row},{col},{px.Status},{px.Gain:R},{px.Pedestal:R}\n");
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    public static PayloadInput Input(TempDirectory dir, params (uint DetId, PixelRule Rule)[] modules) =>
        PayloadInput.ReadCsv(WriteCsv(dir.File("pixels.csv"), modules));

    /// <summary>Finds a file shipped under GainCal.Tests/Payloads/Data by walking up from the test binaries.</summary>
    public static string DataFile(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "GainCal.Tests", "Payloads", "Data", name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"test data file {name} not found above {AppContext.BaseDirectory}");
    }
}
