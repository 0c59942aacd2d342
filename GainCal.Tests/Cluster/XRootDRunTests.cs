using GainCal.Cluster;
using GainCal.Results;
using GainCal.Storage;
using GainCal.Tests.Reports;
using GainCal.Tests.Storage;

namespace GainCal.Tests.Cluster;

/// <summary>A whole run whose dumps are read from and whose products are written to Debian's real xrootd server on
/// 127.0.0.1: nothing of the run lands on the node's disk, and the merged table equals the FED-by-FED reference.</summary>
[Trait("Category", "Slow")]
public class XRootDRunTests
{
    const uint Run = 314159;
    static readonly int[] Feds = [1200, 1296];

    [Fact]
    public async Task A_run_with_input_and_output_on_xrootd_writes_every_product_there_and_merges_like_the_reference()
    {
        using var dir = new TempDir();
        await using var server = await XRootDTestServer.StartAsync();
        var (sim, reference) = SimulatedRun.CopyOf(Path.Combine(server.Root, "in"), Run, Feds, 4);
        await using var node = await InProcessNode.StartAsync(dir.Sub("data"), server.Url("/"), dir.Path);

        var create = await node.RunAsync($"gaincal create {Run} -i {server.Url("in")} -o {server.Url("out")}");
        Assert.True(create.Code == 0, string.Join('\n', create.Err));
        Assert.Equal(0, (await node.RunAsync($"gaincal submit {Run}")).Code);
        var status = await node.WaitAsync(Run, s => s is { AllEnded: true, MergeCurrent: true });

        var runDir = server.Url($"out/GainRun_{Run}");
        Assert.Equal(StorageByLocation.Combine(runDir, PixelTable.MergedFileName), status.Merge!.MergedPath);
        Assert.All(status.Feds, f => Assert.Equal((FedPhase.Done, 1), (f.Phase, f.Attempts)));
        var merged = PixelTable.Read(status.Merge.MergedPath!);
        Assert.True(merged.ContentEquals(reference), "the merged table read over XRootD differs from the FED-by-FED reference");
        Assert.Equal(reference.Summary() + "\n", RunLayout.ReadText(new RunLayout(runDir).MergedSummary));

        // Every product is on the server, none half-written, and the node made no local output directory.
        var onServer = Directory.GetFiles(Path.Combine(server.Root, "out"), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Path.Combine(server.Root, "out", $"GainRun_{Run}"), f)).Order(StringComparer.Ordinal);
        Assert.Equal(["GainCalibration.parquet", "GainCalibration.summary.json", "GainCalibration.summary.txt", "config.json",
            "fed/1200.parquet", "fed/1200.patterns", "fed/1200.txt", "fed/1296.parquet", "fed/1296.patterns", "fed/1296.txt"], onServer);
        Assert.Contains($"# dump {server.Url("in")}/GainCalibration_1200_{Run}.dmp",
            RunLayout.ReadText(server.Url($"out/GainRun_{Run}/fed/1200.patterns")));
        Assert.Equal(["data"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));

        // summary and payload read the merged table over XRootD and publish beside it.
        var summary = ReportCommandTests.Gaincal("summary", status.Merge.MergedPath!);
        Assert.True(summary.Code == 0, summary.Err);
        Assert.Contains($"copied: ", summary.Out);
        var summaryDir = Path.Combine(server.Root, "out", $"GainRun_{Run}", "summary");
        Assert.True(File.Exists(Path.Combine(summaryDir, "gain_summary.pdf")), summary.Out);
        Assert.True(File.Exists(Path.Combine(summaryDir, $"summary_Run{Run}.json")), summary.Out);
        var payload = ReportCommandTests.Gaincal("payload", status.Merge.MergedPath!, "2026", "0", "-o", StorageByLocation.Combine(runDir, "payloads"), "-k", "offline", "--allow-missing");
        Assert.True(payload.Code == 0, payload.Err);
        var payloads = Directory.GetFiles(Path.Combine(server.Root, "out", $"GainRun_{Run}", "payloads")).Select(Path.GetFileName).Order().ToArray();
        Assert.Contains(payloads, f => f!.EndsWith(".db", StringComparison.Ordinal));
        Assert.Contains(payloads, f => f!.EndsWith(".txt", StringComparison.Ordinal));
        Assert.DoesNotContain(payloads, f => f!.Contains(".tmp-", StringComparison.Ordinal));
    }
}
