using GainCal.Calibration;

namespace GainCal.Tests.Calibration;

public class VCalTableTests
{
    [Fact]
    public void Loads_entries_and_defaults_missing_modules()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vcal-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, "# detid slope offset\n303042564 50.3157 -308\n\n344130564   53.8103 -60  # ring 1\n");
        try
        {
            var t = VCalTable.Load(path);
            Assert.Equal(2, t.Count);
            Assert.True(t.Contains(303042564));
            Assert.False(t.Contains(1));
            // Held at float precision, as SiPixelVCal stores it.
            Assert.Equal((double)50.3157f, t.For(303042564).Slope);
            Assert.Equal(-308, t.For(303042564).Offset);
            Assert.Equal((double)53.8103f, t.For(344130564).Slope);
            Assert.Equal(VCalConversion.Default, t.For(1));
            Assert.Equal(new VCalConversion(47, -60), VCalConversion.Default);

            var copy = Path.ChangeExtension(path, ".copy.txt");
            t.Save(copy);
            var back = VCalTable.Load(copy);
            File.Delete(copy);
            Assert.Equal(t.For(303042564), back.For(303042564));
            Assert.Equal(t.For(344130564), back.For(344130564));
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("1 2\n", "line 1: expected 'detid slope offset'")]
    [InlineData("# c\nx 47 -60\n", "line 2: detid 'x'")]
    [InlineData("5 abc -60\n", "line 1: slope 'abc'")]
    [InlineData("5 47 NaN\n", "line 1: offset 'NaN'")]
    [InlineData("5 47 -60\n5 48 -60\n", "line 2: detid 5 listed twice")]
    public void Bad_lines_name_file_and_line(string text, string problem)
    {
        var path = Path.Combine(Path.GetTempPath(), $"vcal-bad-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, text);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => VCalTable.Load(path));
            Assert.StartsWith(path + ": ", e.Message);
            Assert.Contains(problem, e.Message);
        }
        finally { File.Delete(path); }
    }
}
