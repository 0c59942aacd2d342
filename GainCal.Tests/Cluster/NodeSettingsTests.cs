using GainCal.Cluster;

namespace GainCal.Tests.Cluster;

public class NodeSettingsTests
{
    [Fact]
    public void Command_line_beats_environment_beats_appsettings()
    {
        using var dir = new TempDir();
        var cwd = Directory.GetCurrentDirectory();
        File.WriteAllText(Path.Combine(dir.Path, "appsettings.json"),
            """{ "Port": 5001, "CommandPort": 9201, "MaxFeds": 3, "Seeds": ["10.0.0.1:1", "10.0.0.2:2"], "Roles": "worker,extra" }""");
        Environment.SetEnvironmentVariable("GAINCAL_COMMANDPORT", "9202");
        Environment.SetEnvironmentVariable("GAINCAL_MAXFEDS", "4");
        try
        {
            Directory.SetCurrentDirectory(dir.Path);
            var s = NodeSettings.From(NodeSettings.BuildConfiguration(["--max-feds", "5", "--allowed-roots", "/a,/b"]));
            Assert.Equal(5001, s.Port);
            Assert.Equal(9202, s.CommandPort);
            Assert.Equal(5, s.MaxFeds);
            Assert.Equal(["10.0.0.1:1", "10.0.0.2:2"], s.Seeds);
            Assert.Equal(["worker", "extra"], s.Roles);
            Assert.Equal(["/a", "/b"], s.EffectiveAllowedRoots);
            Assert.Equal("sqlite", s.Persistence);
        }
        finally
        {
            Directory.SetCurrentDirectory(cwd);
            Environment.SetEnvironmentVariable("GAINCAL_COMMANDPORT", null);
            Environment.SetEnvironmentVariable("GAINCAL_MAXFEDS", null);
        }
    }

    [Fact]
    public void Bad_values_name_their_key()
    {
        var e = Assert.Throws<ArgumentException>(() => NodeSettings.From(NodeSettings.BuildConfiguration(["--port", "x1"])));
        Assert.Equal("configuration Port: 'x1' is not an integer", e.Message);
        e = Assert.Throws<ArgumentException>(() => NodeSettings.From(NodeSettings.BuildConfiguration(["--persistence", "oracle"])));
        Assert.Contains("neither sqlite nor postgresql", e.Message);
        e = Assert.Throws<ArgumentException>(() => NodeSettings.From(NodeSettings.BuildConfiguration(["--read-limit", "-2"])));
        Assert.Contains("ReadLimitMBPerSecond", e.Message);
        Assert.Equal(12.5, NodeSettings.From(NodeSettings.BuildConfiguration(["--read-limit", "12.5"])).ReadLimitMBPerSecond);
        Assert.Equal(0, NodeSettings.From(NodeSettings.BuildConfiguration([])).ReadLimitMBPerSecond);
    }

    [Fact]
    public void The_node_cabling_is_a_file_and_an_optional_tag()
    {
        var s = NodeSettings.From(NodeSettings.BuildConfiguration(["--cabling", "/x/cabling.db", "--cabling-tag", "SiPixelFedCablingMap_v1"]));
        Assert.Equal(("/x/cabling.db", "SiPixelFedCablingMap_v1"), (s.Cabling, s.CablingTag));
        Assert.Null(NodeSettings.From(NodeSettings.BuildConfiguration([])).Cabling);
    }

    [Fact]
    public void Fed_lists_print_as_ranges() =>
        Assert.Equal("1200-1202, 1205, 1207, 1208, 1296-1302", FedList.Format([1301, 1200, 1201, 1202, 1205, 1207, 1208, 1296, 1297, 1298, 1299, 1300, 1302]));
}
