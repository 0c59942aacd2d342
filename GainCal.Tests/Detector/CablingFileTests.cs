using GainCal.Detector;

namespace GainCal.Tests.Detector;

public sealed class CablingFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gaincal-cabling-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Save_then_load_gives_the_same_rocs()
    {
        string path = Path.Combine(_dir, "synthetic.txt");
        var map = CablingMap.Synthetic();
        map.Save(path);
        var loaded = CablingMap.Load(path);
        Assert.Equal(map.Feds, loaded.Feds);
        foreach (int fed in map.Feds)
            Assert.Equal(map.ForFed(fed).Rocs, loaded.ForFed(fed).Rocs);   // record equality: every field
        // One line per link plus comments.
        int dataLines = File.ReadLines(path).Count(l => l.Length > 0 && l[0] != '#');
        Assert.Equal(3392 + 28 * 48, dataLines);
    }

    [Fact]
    public void Hand_written_file_with_names_detids_ranges_and_first_roc()
    {
        string path = Write("small.txt", """
            # a comment line
            1200 3 BPix_BmI_SEC3_LYR1_LDR3F_MOD4 0-1      # ladder 1 module 1, layer 1
            1200 4 303042564 2-3
            1296 48 FPix_BmI_D1_BLD1_PNL1_RNG1 8-15
            1296 47 344220676 5 4

            """);
        var map = CablingMap.Load(path);
        Assert.Equal([1200, 1296], map.Feds);
        var bpix = map.ForFed(1200);
        Assert.Equal(4, bpix.Rocs.Count);
        Assert.Equal(2, bpix.LinkCount);
        Assert.Equal(new CabledRoc(1200, 3, 1, DetId.BPix(1, 1, 1), 0), bpix.Rocs[0]);
        Assert.Equal(new CabledRoc(1200, 3, 2, DetId.BPix(1, 1, 1), 1), bpix.Rocs[1]);
        Assert.Equal(new CabledRoc(1200, 4, 2, DetId.BPix(1, 1, 1), 3), bpix.Rocs[3]);
        Assert.True(bpix.IsLayer1(3));
        var fpix = map.ForFed(1296);
        Assert.Equal(new CabledRoc(1296, 47, 4, DetId.FPix(1, 1, 6, 1), 5), fpix.Rocs[0]);
        Assert.Equal(0, fpix.RocIndex(47, 4));
        Assert.Equal(-1, fpix.RocIndex(47, 1));
        Assert.Equal(1, fpix.RocIndex(48, 1));
        Assert.Equal(8, fpix.RocIndex(48, 8));
        Assert.Equal(15, fpix[8].IdInDetUnit);
        Assert.False(fpix.IsLayer1(1));

        // A non-default first ROC survives a round trip.
        string again = Path.Combine(_dir, "again.txt");
        map.Save(again);
        var reloaded = CablingMap.Load(again);
        Assert.Equal(fpix.Rocs, reloaded.ForFed(1296).Rocs);
        Assert.Equal(bpix.Rocs, reloaded.ForFed(1200).Rocs);
    }

    [Theory]
    [InlineData("1200 1 BPix_BmI_SEC3_LYR1_LDR3F_MOD4", "found 3 fields")]
    [InlineData("12x0 1 BPix_BmI_SEC3_LYR1_LDR3F_MOD4 0-1", "FED '12x0' is not a number")]
    [InlineData("1200 -1 BPix_BmI_SEC3_LYR1_LDR3F_MOD4 0-1", "link '-1' is not a number")]
    [InlineData("1200 1 BPix_BmI_SEC1_LYR1_LDR1F_MOD1 0-1", "'BPix_BmI_SEC1_LYR1_LDR1F_MOD1' is neither")]
    [InlineData("1200 1 303042565 0-1", "'303042565' is neither")]
    [InlineData("1200 1 BPix_BmI_SEC3_LYR1_LDR3F_MOD4 1-0", "idInDetUnit '1-0'")]
    [InlineData("1200 1 BPix_BmI_SEC3_LYR1_LDR3F_MOD4 0-16", "idInDetUnit '0-16'")]
    [InlineData("1200 1 BPix_BmI_SEC3_LYR1_LDR3F_MOD4 0-1 x", "first ROC 'x'")]
    [InlineData("1200 1 BPix_BmI_SEC2_LYR1_LDR1F_MOD1 0-8", "ROC 9 on link 1 is outside 1..8")]
    [InlineData("1200 49 BPix_BmI_SEC3_LYR1_LDR3F_MOD4 0-1", "link 49 is outside 1..48")]
    [InlineData("1210 1 BPix_BmI_SEC3_LYR1_LDR3F_MOD4 0-1", "FED 1210 is not a pixel FED")]
    [InlineData("1296 1 BPix_BmI_SEC3_LYR1_LDR3F_MOD4 0-1", "cannot be read by FPix FED 1296")]
    public void Errors_name_the_file_and_line(string badLine, string problem)
    {
        string path = Write("bad.txt", $"# header\n1200 2 BPix_BmI_SEC3_LYR1_LDR3F_MOD4 2-3\n{badLine}\n");
        var error = Assert.Throws<CablingFormatException>(() => CablingMap.Load(path));
        Assert.Equal(path, error.File);
        Assert.Equal(3, error.Line);
        Assert.StartsWith($"{path}: line 3: ", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Duplicates_name_both_lines()
    {
        string address = Write("dup-address.txt",
            "1200 2 BPix_BmI_SEC3_LYR1_LDR3F_MOD4 2-3\n\n1200 2 BPix_BmI_SEC4_LYR1_LDR3F_MOD3 0-1\n");
        var error = Assert.Throws<CablingFormatException>(() => CablingMap.Load(address));
        Assert.Equal($"{address}: line 3: FED 1200 link 2 ROC 1 is already cabled on line 1", error.Message);

        string module = Write("dup-module.txt",
            "1200 2 BPix_BmI_SEC3_LYR1_LDR3F_MOD4 2-3\n1201 7 303042564 3\n");
        error = Assert.Throws<CablingFormatException>(() => CablingMap.Load(module));
        Assert.Equal($"{module}: line 2: ROC 3 of BPix_BmI_SEC3_LYR1_LDR3F_MOD4 is already cabled on line 1", error.Message);
    }

    [Fact]
    public void Empty_file_is_an_error_naming_the_file()
    {
        string path = Write("empty.txt", "# nothing\n\n");
        var error = Assert.Throws<CablingFormatException>(() => CablingMap.Load(path));
        Assert.Equal($"{path}: no cabled ROC in the file", error.Message);
        Assert.Equal(0, error.Line);
    }
}
