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
    public void Warning_limits_are_read_from_the_Warn_keys_and_bad_ones_refused()
    {
        var d = NodeSettings.From(NodeSettings.BuildConfiguration([]));
        Assert.Equal(GainCal.Results.FedWarningLimits.Default, d.Warnings);
        var s = NodeSettings.From(NodeSettings.BuildConfiguration(["--WarnMissingEvents", "5", "--WarnOffPatternFraction", "0.2"]));
        Assert.Equal((5L, 0.2, 0L), (s.Warnings.MissingEvents, s.Warnings.OffPatternFraction, s.Warnings.Resyncs));
        var e = Assert.Throws<ArgumentException>(() => NodeSettings.From(NodeSettings.BuildConfiguration(["--WarnOffPatternFraction", "2"])));
        Assert.Equal("configuration Warn*: fractions must be between 0 and 1", e.Message);
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
    public void A_node_with_seeds_on_other_hosts_refuses_a_sqlite_journal_and_says_why()
    {
        // Remoting beyond loopback needs TLS settings (issue 14); files that exist stand in for them here.
        var tls = Path.GetTempFileName();
        NodeSettings Settings(params string[] args) => NodeSettings.From(NodeSettings.BuildConfiguration(
            args.Contains("--host") ? [.. args, "--tls-certificate", tls, "--tls-ca", tls] : args));

        var e = Assert.Throws<ArgumentException>(() => Settings("--host", "10.77.0.11", "--seeds", "10.77.0.11:4053,10.77.0.12:4053").Validated());
        Assert.StartsWith("configuration Seeds: 10.77.0.12:4053 is on another host, but the journal is SQLite", e.Message);
        Assert.Contains("--persistence postgresql", e.Message);
        Assert.Throws<ArgumentException>(() => Settings("--seeds", "seed.example.org:4053").Validated());
        Assert.Throws<ArgumentException>(() => Settings("--seeds", "[fd00::2]:4053").Validated());

        // One host: loopback seeds, its own address (Host or PublicHost), no seeds; or PostgreSQL anywhere.
        Settings("--seeds", "127.0.0.1:4053,127.0.0.1:4054,localhost:4055,[::1]:4056").Validated();
        Settings("--host", "10.77.0.11", "--seeds", "10.77.0.11:4053,10.77.0.11:4054").Validated();
        Settings("--host", "0.0.0.0", "--public-host", "node1.lab", "--seeds", "node1.lab:4053").Validated();
        Settings().Validated();
        Settings("--persistence", "postgresql", "--connection-string", "Host=10.77.0.2", "--seeds", "10.77.0.12:4053").Validated();
    }

    [Fact]
    public async Task A_node_process_with_seeds_on_other_hosts_and_sqlite_exits_with_the_reason()
    {
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "GainCal.Node.dll"), "--seeds", "10.77.0.12:4053", "--data-dir", Path.GetTempPath() })
            psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(2, p.ExitCode);
        Assert.StartsWith("gaincal-node: configuration Seeds: 10.77.0.12:4053 is on another host", await stderr);
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
