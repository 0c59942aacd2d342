using GainCal.Operations;
using GainCal.Cluster;
using GainCal.Detector;
using GainCal.Results;
using GainCal.Tests.Reports;

namespace GainCal.Tests.Cluster;

/// <summary>Issue 12: a run merged with a failed FED is partial, and every product says so: the merge's record and the
/// merged table's metadata, status (text and JSON), the summary's first page and text, and payload, which refuses it
/// unless --allow-missing and then names the modules it filled with default values.</summary>
public class PartialRunTests
{
    const uint Run = 271829;
    static readonly int[] Feds = [1200, 1201, 1296];
    const int Failed = 1201;

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_run_with_a_failed_fed_is_merged_partial_and_its_products_say_so()
    {
        using var dir = new TempDir();
        var (sim, _) = SimulatedRun.CopyOf(dir.Sub("in"), Run, Feds, 4);
        ClusterTestSizes.Corrupt(sim.DumpPath(Failed));
        RunStatusView status;
        await using (var node = await InProcessNode.StartAsync(dir.Sub("data"), dir.Path))
        {
            Assert.Equal(0, (await node.RunAsync($"gaincal create {Run} -i {sim.InputDir} -o {dir.Path}/out")).Code);
            Assert.Equal(0, (await node.RunAsync($"gaincal submit {Run}")).Code);
            status = await node.WaitAsync(Run, s => s.AllEnded && s.MergeCurrent);
            var text = (await node.RunAsync($"gaincal status {Run}")).Out;
            Assert.Contains(text, l => l.StartsWith("partial run: 1 FED failed, 0 with warnings, 105 without a dump (2 of 108 FEDs merged)", StringComparison.Ordinal));
            Assert.Contains("  failed FEDs, not merged: 1201", text);
            var json = string.Join('\n', (await node.RunAsync($"gaincal status {Run} --json")).Out);
            Assert.Contains("\"partial\": true", json);
        }
        Assert.True(status.Partial);
        var merge = status.Merge!;
        Assert.Equal([Failed], merge.FailedFeds);
        Assert.Equal([1200, 1296], merge.MergedFeds);

        // The table carries the record itself: what the cabling puts on the failed FED and on the FEDs without a dump.
        var synthetic = CablingMap.Synthetic();
        var expectedMissing = PixelFeds.All.Except(Feds).ToArray();
        var absent = new[] { Failed }.Concat(expectedMissing).SelectMany(f => synthetic.ForFed(f).Modules).Select(m => m.Raw).ToHashSet();
        var recorded = PixelTable.ReadCompleteness(merge.MergedPath!)!;
        Assert.True(recorded.Partial);
        Assert.Equal([Failed], recorded.Failed);
        Assert.Equal(expectedMissing, recorded.Missing);
        Assert.Empty(recorded.Warned);
        Assert.Equal(absent.Order(), recorded.AbsentModules!);
        Assert.All(synthetic.ForFed(Failed).Modules, m => Assert.Contains(m.Raw, recorded.AbsentModules!));

        var runDir = Path.GetDirectoryName(merge.MergedPath!)!;
        var summary = ReportCommandTests.Gaincal("summary", $"{Run}", "--run-dir", runDir);
        Assert.True(summary.Code == 0, summary.Err);
        Assert.Contains("failed FEDs, not merged: 1201", summary.Out);
        var summaryText = File.ReadAllLines(Path.Combine(runDir, "summary", $"Summary_Run{Run}.txt"));
        Assert.StartsWith("PARTIAL RUN: 1 FED FAILED", summaryText[0]);
        Assert.Equal("failed FEDs, not merged: 1201", summaryText[1]);
        Poppler.RequireOrSkip();
        var firstPage = Poppler.Run("pdftotext", "-f", "1", "-l", "1", Path.Combine(runDir, "summary", "gain_summary.pdf"), "-");
        Assert.Contains("PARTIAL RUN: 1 FED FAILED", firstPage);
        Assert.Contains("failed FEDs, not merged: 1201", firstPage);
        Assert.Contains("FEDs without a dump: 1202-1209", firstPage);

        var payloads = dir.Sub("payload");
        var refused = ReportCommandTests.Gaincal("payload", merge.MergedPath!, "2026", "0", "-o", payloads, "--kinds", "hlt");
        Assert.Equal(ExitCodes.PartialRun, refused.Code);
        Assert.Contains("partial run: 1 FED failed", refused.Err);
        Assert.Contains("--allow-missing", refused.Err);
        Assert.Empty(Directory.GetFiles(payloads));

        var allowed = ReportCommandTests.Gaincal("payload", merge.MergedPath!, "2026", "0", "-o", payloads, "--kinds", "hlt", "--allow-missing");
        Assert.True(allowed.Code == 0, allowed.Err);
        const string listed = "modules of the failed FEDs and FEDs without a dump filled with default values (detids): ";
        var line = allowed.Out.Split('\n').Single(l => l.Contains(listed, StringComparison.Ordinal));
        var detids = line[(line.IndexOf(listed, StringComparison.Ordinal) + listed.Length)..].Trim().Split(' ').Select(uint.Parse).ToArray();
        Assert.Equal(absent.Order(), detids);
        var metadata = File.ReadAllText(Path.Combine(payloads, "SiPixelGainCalibration_2026_v0_hlt.txt"));
        Assert.Contains("PARTIAL RUN, written with --allow-missing: failed FEDs, not merged: 1201", metadata);
        Assert.All(synthetic.ForFed(Failed).Modules, m => Assert.Contains(m.Raw.ToString(), metadata));
    }

    [Fact]
    public void The_merge_of_a_fed_failed_run_lists_exactly_that_feds_modules()
    {
        using var dir = new TempDir();
        var synthetic = CablingMap.Synthetic();
        var table = SyntheticTables.Modules(Run, [synthetic.ForFed(1200).Modules[0]]);
        var fedTable = Path.Combine(dir.Path, "1200.parquet");
        table.Write(fedTable);
        var request = new MergeRunResults(Run, dir.Path, [new FedResultRef(1200, fedTable, FileChecksum.Of(fedTable), new PixelStatsBuilder().Build(0))],
            [Failed], [], [1200]);
        var completeness = RunAggregator.WithAbsentModules(request.Completeness, synthetic);
        var merged = Path.Combine(dir.Path, PixelTable.MergedFileName);
        PixelTable.MergeFiles([fedTable], merged, completeness);

        var read = PixelTable.ReadCompleteness(merged)!;
        Assert.Equal(synthetic.ForFed(Failed).Modules.Select(m => m.Raw).Order(), read.AbsentModules!);
        Assert.Equal([1200], read.Merged);
        Assert.Equal([Failed], read.Failed);
        Assert.Equal([1200], read.Warned);
        Assert.Empty(read.Missing);
        Assert.Equal("partial run: 1 FED failed, 1 with warnings, 0 without a dump (1 of 2 FEDs merged)", read.Headline());
        Assert.True(PixelTable.Read(merged).ContentEquals(table));
        Assert.Null(PixelTable.ReadCompleteness(fedTable));
    }

    [Fact]
    public void A_run_with_its_own_cabling_lists_the_modules_that_cabling_puts_on_its_failed_fed()
    {
        using var dir = new TempDir();
        // The run's cabling keeps only the first module of the failed FED: the node's (synthetic) map has all of them.
        var synthetic = CablingMap.Synthetic();
        var kept = synthetic.ForFed(Failed).Modules[0];
        var own = new CablingMap(synthetic.Feds.SelectMany(f => synthetic.ForFed(f).Rocs).Where(r => r.Fed != Failed || r.DetId == kept));
        var cabling = Path.Combine(dir.Path, "cabling.txt");
        own.Save(cabling);
        var request = new MergeRunResults(Run, dir.Path, [], [Failed], [], CablingPath: cabling);
        var paths = new PathConfinement([dir.Path]);

        Assert.Equal([kept.Raw], RunAggregator.WithAbsentModules(request.Completeness, RunAggregator.CablingOf(request, paths)).AbsentModules!);
        // The test can fail: the built-in map puts more modules on that FED.
        Assert.True(synthetic.ForFed(Failed).Modules.Count > 1);
        // The run's cabling is read from under the node's roots only.
        using var elsewhere = new TempDir();
        Assert.ThrowsAny<Exception>(() => RunAggregator.CablingOf(request, new PathConfinement([elsewhere.Path])));
    }
}
