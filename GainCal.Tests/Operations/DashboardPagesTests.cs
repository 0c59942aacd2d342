using GainCal.Operations;
using System.Globalization;
using System.Net;
using GainCal.Results;
using GainCal.Tests.Cluster;

namespace GainCal.Tests.Operations;

/// <summary>The dashboard's /pixel and /history pages over HTTP against a real 2-node cluster that calibrated and merged
/// two small simulated runs; the values shown are checked against the FED tables and the planted truth.</summary>
[Trait("Category", "Slow")]
public class DashboardPagesTests
{
    const uint RunA = 4721, RunB = 4722;
    const string Feds = "1200,1296";

    sealed record Truth(int Fed, int Link, int Roc, int Row, int Col, string Kind, double Gain);

    static List<Truth> ReadTruth(string input, int fed) =>
        File.ReadLines(Path.Combine(input, "truth", $"{fed}.csv")).Skip(1).Select(l => l.Split(','))
            .Select(c => new Truth(int.Parse(c[0], CultureInfo.InvariantCulture), int.Parse(c[1], CultureInfo.InvariantCulture),
                int.Parse(c[2], CultureInfo.InvariantCulture), int.Parse(c[3], CultureInfo.InvariantCulture),
                int.Parse(c[4], CultureInfo.InvariantCulture), c[6], double.Parse(c[7], CultureInfo.InvariantCulture))).ToList();

    [Fact]
    public async Task Pixel_and_history_pages_show_a_planted_runs_values()
    {
        using var dir = new TempDir();
        await using var cluster = await LocalCluster.StartAsync(2, dir.Sub("data"), dir.Path, http: true);
        foreach (var (run, seed) in new[] { (RunA, 1), (RunB, 2) })
        {
            DashboardBrowserTests.Simulate(dir.Sub($"in{run}"), run, Feds, 1, "--seed", $"{seed}");
            var (code, _, err) = await cluster.RunAsync(1, $"gaincal create {run} -i {dir.Sub($"in{run}")} -o {dir.Sub($"out{run}")}");
            Assert.True(code == 0, string.Join('\n', err));
            (code, _, err) = await cluster.RunAsync(1, $"gaincal submit {run}");
            Assert.True(code == 0, string.Join('\n', err));
        }
        var outputDirs = new Dictionary<uint, string>();
        foreach (var run in new[] { RunA, RunB })
        {
            await cluster.WaitAsync(1, run, s => s.AllEnded, TimeSpan.FromMinutes(3), $"run {run} ended");
            // The coordinator merges a run once its FEDs have ended: the explicit merge may find it current (nothing done).
            var (code, _, err) = await cluster.RunAsync(1, $"gaincal merge {run}");
            Assert.True(code is ExitCodes.Ok or ExitCodes.NothingDone, string.Join('\n', err));
            outputDirs[run] = (await cluster.WaitAsync(1, run, s => s.Merge is { Ok: true }, TimeSpan.FromMinutes(2), $"run {run} merged")).OutputDir;
        }
        using var http = new HttpClient { BaseAddress = new Uri(cluster.HttpUrl(2)) };

        // One pixel of run A: the page has the FED table's fit of it, near its planted gain, and the plot.
        var table = PixelTable.Read(Path.Combine(outputDirs[RunA], "fed", "1200.parquet"));
        var truth = ReadTruth(dir.Sub($"in{RunA}"), 1200).Where(t => t.Kind == "Normal").ToDictionary(t => (t.Link, t.Roc, t.Row, t.Col));
        var row = Enumerable.Range(0, table.RowCount).Select(i => table[i])
            .First(r => r.Status == 1 && truth.ContainsKey((r.Link, r.Roc, r.RocRow, r.RocCol)) && r.RocRow > 10);
        var address = $"{row.Fed}/{row.Link}/{row.Roc}/{row.RocRow}/{row.RocCol}";
        var pixel = await http.GetAsync($"pixel?run={RunA}&pixel={address}");
        var page = await pixel.Content.ReadAsStringAsync();
        Assert.True(pixel.StatusCode == HttpStatusCode.OK, page);
        Assert.Contains($"FED {row.Fed} link {row.Link} ROC {row.Roc} row {row.RocRow} col {row.RocCol}", page);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"status 1 (fit result OK), gain {row.Gain:G6} e/ADC, pedestal {row.Pedestal:G6} ADC"), page);
        Assert.InRange(row.Gain, truth[(row.Link, row.Roc, row.RocRow, row.RocCol)].Gain * 0.8, truth[(row.Link, row.Roc, row.RocRow, row.RocCol)].Gain * 1.2);
        Assert.Contains("src=\"data:image/png;base64,iVBORw0KGgo", page);   // a PNG's signature, base64
        // The same pixel by its module address (DetId/row/col) is the same curve.
        var offline = await http.GetStringAsync($"pixel?run={RunA}&pixel={row.DetId}/{row.ModuleRow}/{row.ModuleCol}");
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"gain {row.Gain:G6} e/ADC"), offline);

        var bad = await http.GetAsync($"pixel?run={RunA}&pixel=1200/1/1/99/3");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("ROC row 99 / column 3 out of range", await bad.Content.ReadAsStringAsync());
        var unknown = await http.GetAsync($"pixel?run=999&pixel={address}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("run 999 is not known", await unknown.Content.ReadAsStringAsync());

        // History over both merged runs: each run's BPix layer holding FED 1200's simulated module has the module's
        // mean gain, which for one ROC of planted gains is their mean within a few percent.
        var history = await http.GetAsync("history");
        var historyPage = await history.Content.ReadAsStringAsync();
        Assert.True(history.StatusCode == HttpStatusCode.OK, historyPage);
        Assert.Contains($"data-runs=\"{RunA},{RunB}\"", historyPage);
        var csv = (await http.GetStringAsync("history/history.csv")).Split('\n');
        foreach (var run in new[] { RunA, RunB })
        {
            var planted = ReadTruth(dir.Sub($"in{run}"), 1200).Where(t => t.Kind == "Normal").Average(t => t.Gain);
            var gain = Assert.Single(csv, l => l.StartsWith($"{run},Gain,L", StringComparison.Ordinal)).Split(',');
            Assert.Equal("1", gain[3]);   // one module
            var shown = double.Parse(gain[4], CultureInfo.InvariantCulture);
            Assert.InRange(shown, planted * 0.97, planted * 1.03);
            Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"data-run=\"{run}\" data-group=\"{gain[2]}\">{shown:G5} &plusmn;"), historyPage);
        }
        var png = await http.GetByteArrayAsync("history/HISTORY_Gain_barrel.png");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.Contains("src=\"history/HISTORY_Gain_barrel.png?v=", historyPage);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("history/..%2Fnode.log")).StatusCode);

        // Both pages as a browser draws them, kept to be looked at (when chromium is installed).
        if (HeadlessChromium.Find() is not { } chromium) return;
        await using var browser = await HeadlessChromium.StartAsync(chromium, 1100, 900);
        foreach (var (name, path) in new[] { ("pixel", $"pixel?run={RunA}&pixel={address}"), ("history", "history") })
        {
            await browser.LoadAsync(cluster.HttpUrl(2) + path, TimeSpan.FromSeconds(60));
            var screenshot = Path.Combine(LocalCluster.RepoRoot, "artifacts", $"dashboard-{name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.png");
            await browser.ScreenshotAsync(screenshot);
            TestContext.Current.TestOutputHelper?.WriteLine($"{name} page screenshot: {screenshot}");
        }
    }
}
