using GainCal.Storage;

namespace GainCal.Tests.Storage;

public class XRootDUrlTests
{
    [Theory]
    [InlineData("root://eoscms.cern.ch//eos/cms/store/group/dpg_tracker_pixel/run/GainCalibration_1200_400000.dmp", "eoscms.cern.ch", 1094, "/eos/cms/store/group/dpg_tracker_pixel/run/GainCalibration_1200_400000.dmp")]
    [InlineData("root://127.0.0.1:11094//run", "127.0.0.1", 11094, "/run")]
    [InlineData("xroot://h:1//a//b/", "h", 1, "/a/b")]
    [InlineData("root://[::1]:2000//x", "::1", 2000, "/x")]
    [InlineData("root://h//", "h", 1094, "/")]
    public void Parses_host_port_and_absolute_path(string text, string host, int port, string path)
    {
        var url = XRootDUrl.Parse(text);
        Assert.Equal((host, port, path), (url.Host, url.Port, url.Path));
        Assert.Equal(url, XRootDUrl.Parse(url.ToString()));
    }

    [Theory]
    [InlineData("http://h//x", "not an XRootD URL")]
    [InlineData("root://h/x", "double slash")]
    [InlineData("root://h", "double slash")]
    [InlineData("root://h:0//x", "bad port '0'")]
    [InlineData("root://h:99999//x", "bad port")]
    [InlineData("root://:1094//x", "no host")]
    [InlineData("root://user@h//x", "user names")]
    [InlineData("root://h//x?authz=abc", "options after '?'")]
    [InlineData("root://h//a/../etc", "'.' and '..'")]
    [InlineData("root://h//a b", "space")]
    public void Refuses_what_it_cannot_honour_naming_the_url(string text, string problem)
    {
        var e = Assert.Throws<FormatException>(() => XRootDUrl.Parse(text));
        Assert.StartsWith(text + ": ", e.Message);
        Assert.Contains(problem, e.Message);
        Assert.Equal(e.Message, StorageByLocation.Problem(text));
    }

    [Fact]
    public void Combines_names_and_tells_urls_from_paths()
    {
        Assert.Equal("root://h:1094//out/fed/1200.parquet", StorageByLocation.Combine("root://h//out/fed", "1200.parquet"));
        Assert.Equal("root://h:1094//x", XRootDUrl.Parse("root://h//").Combine("x").ToString());
        Assert.Equal(Path.Combine("/data/out", "a.txt"), StorageByLocation.Combine("/data/out", "a.txt"));
        Assert.Equal("GainCalibration_1200_1.dmp", StorageByLocation.NameOf("root://h//run/GainCalibration_1200_1.dmp"));
        Assert.True(StorageByLocation.IsRemote("ROOT://h//x"));
        Assert.False(StorageByLocation.IsRemote("/root/x"));
        Assert.Null(StorageByLocation.Problem("/any/path"));
        Assert.Throws<ArgumentException>(() => XRootDUrl.Parse("root://h//d").Combine("../x"));
    }

    [Fact]
    public void Reads_a_stat_listing_and_a_names_only_listing()
    {
        var dir = XRootDUrl.Parse("root://h//run");
        var withStat = XRootDClient.ParseListing(dir, ".\n0 0 0 0\nb.dmp\n140 2500 16 1733500000\na\n141 4096 19 1733500001\0");
        Assert.Equal(["a", "b.dmp"], withStat.Select(e => e.Name));
        Assert.Equal([true, false], withStat.Select(e => e.IsDirectory));
        Assert.Equal(2500, withStat[1].Size);
        Assert.Equal("root://h:1094//run/b.dmp", withStat[1].Location);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1733500000), withStat[1].Modified);

        var namesOnly = XRootDClient.ParseListing(dir, "x\ny\0");
        Assert.Equal(["x", "y"], namesOnly.Select(e => e.Name));
        Assert.All(namesOnly, e => Assert.Equal(-1, e.Size));
    }
}
