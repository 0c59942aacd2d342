using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GainCal.Cluster;
using GainCal.Tests.Cluster;

namespace GainCal.Tests.Operations;

/// <summary>The dashboard in a real browser against a real 2-node cluster (deploy/local/start.sh) with a run in
/// progress; then the same cluster's /health and /metrics against what the run did.</summary>
[Trait("Category", "Slow")]
public class DashboardBrowserTests
{
    const uint Run = 4711;
    static readonly int[] Feds = [1200, 1201, 1202, 1203, 1204, 1205, 1206, 1207, 1208, 1209];
    const int Corrupt = 1209;   // fails, and the page must say why
    const int RocsPerFed = ClusterTestSizes.RocsPerFed;

    // What the page shows, read from its data attributes by one script.
    const string ReadPage = """
        JSON.stringify({
          marker: window.__loadedOnce === true,
          updates: Number(document.body?.dataset.updates ?? 0),
          members: [...document.querySelectorAll('[data-member]')].map(e => [e.dataset.member, e.dataset.status]),
          feds: [...document.querySelectorAll('[data-fed]')].map(e => [Number(e.dataset.fed), e.dataset.phase, Number(e.dataset.bytes),
                                                                      e.querySelector('.note').textContent]),
          text: document.body?.innerText ?? ''
        })
        """;

    sealed record PageState(bool Marker, int Updates, string[][] Members, JsonElement[][] Feds, string Text)
    {
        public string FedKey => string.Join(";", Feds.Select(f => $"{f[0]}:{f[1]}:{f[2]}"));
        public bool RunInProgress => Feds.Length > 0 && Feds.Any(f => f[1].GetString() is not ("done" or "failed"));
    }

    static async Task<PageState> ReadAsync(HeadlessChromium browser)
    {
        var json = JsonSerializer.Deserialize<string>(await browser.EvaluateAsync(ReadPage))!;
        return JsonSerializer.Deserialize<PageState>(json, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
    }

    [Fact]
    public async Task Dashboard_shows_members_and_live_FED_progress_in_headless_chromium()
    {
        var chromium = HeadlessChromium.Find();
        if (chromium is null) Assert.Skip("chromium not found (run deploy/deps/chromium.sh, or set CHROMIUM=/path/to/chromium)");

        using var dir = new TempDir();
        var input = dir.Sub("in");
        Simulate(input, Run, string.Join(',', Feds), RocsPerFed);
        string Dump(int fed) => Path.Combine(input, $"GainCalibration_{fed}_{Run}.dmp");
        ClusterTestSizes.Corrupt(Dump(Corrupt));
        var goodBytes = Feds.Where(f => f != Corrupt).Sum(f => new FileInfo(Dump(f)).Length);
        var allBytes = goodBytes + new FileInfo(Dump(Corrupt)).Length;

        // One FED at a time per node, read at a bounded rate: the run lasts long enough to be watched on any machine.
        await using var cluster = await LocalCluster.StartAsync(2, dir.Sub("data"), dir.Path, http: true,
            "--max-feds", "1", "--fit-workers", "1", "--patterns-in-flight", "1", "--read-limit", ClusterTestSizes.ReadLimit);
        await using var browser = await HeadlessChromium.StartAsync(chromium, 1400, 1100);
        await browser.NavigateAsync(cluster.HttpUrl(1));
        await browser.EvaluateAsync("window.__loadedOnce = true");

        // Members appear, both up.
        var page = await WaitAsync(browser, p => p.Members.Length == 2 && p.Members.All(m => m[1] == "up"), "two up members");
        Assert.Equal(new[] { $"akka.tcp://gaincal@{cluster.Address(1)}", $"akka.tcp://gaincal@{cluster.Address(2)}" },
            page.Members.Select(m => m[0]).Order());

        var (code, _, err) = await cluster.RunAsync(1, $"gaincal create {Run} -i {input} -o {dir.Sub("out")}");
        Assert.True(code == 0, string.Join('\n', err));
        (code, _, err) = await cluster.RunAsync(2, $"gaincal submit {Run}");
        Assert.True(code == 0, string.Join('\n', err));

        // FED progress appears while the run is in progress, and changes without a reload.
        var first = await WaitAsync(browser, p => p.RunInProgress && p.Feds.Length == Feds.Length, "the run's FEDs, not all done");
        Assert.Contains($"Run {Run}", first.Text);
        Assert.Equal(Feds, first.Feds.Select(f => f[0].GetInt32()).Order());
        var later = await WaitAsync(browser, p => p.FedKey != first.FedKey && p.Updates > first.Updates, "FED progress changing");
        Assert.True(later.Marker, "the page was reloaded: the live update must come without one");
        var screenshot = Path.Combine(LocalCluster.RepoRoot, "artifacts", $"dashboard-{DateTime.UtcNow:yyyyMMdd-HHmmss}.png");
        await browser.ScreenshotAsync(screenshot);
        TestContext.Current.TestOutputHelper?.WriteLine($"dashboard screenshot: {screenshot}");
        Console.WriteLine($"dashboard screenshot: {screenshot}");

        var done = await WaitAsync(browser, p => p.Feds.Length == Feds.Length && p.Feds.All(f => f[1].GetString() is "done" or "failed"),
            "every FED ended", TimeSpan.FromMinutes(4));
        Assert.True(done.Marker);
        var failed = Assert.Single(done.Feds, f => f[1].GetString() == "failed");
        Assert.Equal(Corrupt, failed[0].GetInt32());
        Assert.Contains($"GainCalibration_{Corrupt}_{Run}.dmp", failed[3].GetString());   // the core's error, on the page
        await browser.ScreenshotAsync(Path.ChangeExtension(screenshot, ".done.png"));

        // Health and metrics of the same nodes, against what the run did (the gauges follow within a second).
        await Task.Delay(TimeSpan.FromSeconds(2));
        using var http = new HttpClient();
        var status = await cluster.StatusAsync(1, Run) ?? throw new InvalidOperationException("no status");
        double fedsDone = 0, fedsFailed = 0, bytesRead = 0, pixels = 0;
        for (var i = 1; i <= 2; i++)
        {
            Assert.Equal("Healthy", await http.GetStringAsync(cluster.HttpUrl(i) + "health/live"));
            Assert.Equal("Healthy", await http.GetStringAsync(cluster.HttpUrl(i) + "health/ready"));
            var metrics = Parse(await http.GetStringAsync(cluster.HttpUrl(i) + "metrics"));
            fedsDone += metrics["gaincal_feds_done_total"];
            fedsFailed += metrics["gaincal_feds_failed_total"];
            bytesRead += metrics["gaincal_read_bytes_total"];
            pixels += metrics["gaincal_pixels_fitted_total"];
            Assert.Equal(2, metrics["gaincal_cluster_members{status=\"up\"}"]);
            Assert.Equal(0, metrics["gaincal_feds_running"]);
            Assert.Equal(Feds.Length - 1, metrics["gaincal_run_feds{state=\"done\"}"]);
            Assert.Equal(1, metrics["gaincal_run_feds{state=\"failed\"}"]);
            Assert.True(metrics.ContainsKey("gaincal_fit_queue_depth") && metrics.ContainsKey("gaincal_pixels_fitted_rate_per_second"));
        }
        var attempts = status.Feds.Sum(f => f.Attempts);
        Assert.True(fedsDone >= Feds.Length - 1 && fedsDone + fedsFailed <= attempts, $"FEDs done {fedsDone}, failed {fedsFailed}, attempts {attempts}");
        Assert.True(fedsFailed >= 1, $"FEDs failed {fedsFailed}");
        // Every good dump is read to its end once per attempt; the corrupt one only up to where it was refused.
        if (attempts == Feds.Length) Assert.InRange(bytesRead, goodBytes, allBytes);
        else Assert.True(bytesRead >= goodBytes, $"read {bytesRead} < {goodBytes}");
        Assert.True(pixels > 0);
    }

    // The detector map, the run selector and the FED table of a 108-FED run, read from their data attributes.
    const string ReadMap = """
        JSON.stringify({
          updates: Number(document.body?.dataset.updates ?? 0),
          cells: [...document.querySelectorAll('#map [data-cell]')].map(e => [Number(e.dataset.cell), e.dataset.state, e.querySelector('small').textContent,
                                                                           getComputedStyle(e).backgroundColor]),
          legend: [...document.querySelectorAll('[data-legend]')].map(e => [e.dataset.legend, getComputedStyle(e.querySelector('i')).backgroundColor, e.textContent]),
          options: [...document.querySelectorAll('#run option')].map(e => [Number(e.dataset.run), e.dataset.state]),
          rows: [...document.querySelectorAll('tr[data-fed]')].map(e => [...e.querySelectorAll('td')].map(td => td.textContent)),
          load: [...document.querySelectorAll('[data-load]')].map(e => e.dataset.load),
          chart: document.querySelectorAll('#throughput polyline').length,
          text: document.body?.innerText ?? ''
        })
        """;

    sealed record MapState(int Updates, JsonElement[][] Cells, string[][] Legend, JsonElement[][] Options, string[][] Rows, string[] Load, int Chart,
        string Text);

    static async Task<MapState> ReadMapAsync(HeadlessChromium browser)
    {
        var json = JsonSerializer.Deserialize<string>(await browser.EvaluateAsync(ReadMap))!;
        return JsonSerializer.Deserialize<MapState>(json, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
    }

    static async Task<MapState> WaitMapAsync(HeadlessChromium browser, Func<MapState, bool> condition, string what, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        MapState? last = null;
        while (sw.Elapsed < timeout)
        {
            last = await ReadMapAsync(browser);
            if (condition(last)) return last;
            await Task.Delay(250);
        }
        throw new TimeoutException($"dashboard: {what} not seen; page text:\n{last?.Text}");
    }

    /// <summary>
    /// All 108 FEDs of a run (one simulated ROC each: a real FED would take minutes) through a 2-node cluster: one dump
    /// zeroed (fails), one cut in half (a dump not read whole: done-with-warnings once the pipeline says so, h-warn's
    /// part of issue 12). The first HTML response already holds the run; the map has 108 cells coloured by state, the
    /// failed and the warned FED have their colour and label, the selector lists the run and its filter works, finished
    /// FEDs show their figures.
    /// </summary>
    [Fact]
    public async Task Dashboard_maps_a_108_FED_run_with_a_failed_and_a_warned_FED_in_headless_chromium()
    {
        var chromium = HeadlessChromium.Find();
        if (chromium is null) Assert.Skip("chromium not found (run deploy/deps/chromium.sh, or set CHROMIUM=/path/to/chromium)");
        const uint run = 4713;
        const int failedFed = 1338, warnedFed = 1296;

        using var dir = new TempDir();
        var input = dir.Sub("in");
        Simulate(input, run, "all", 1, "--no-truth");
        string Dump(int fed) => Path.Combine(input, $"GainCalibration_{fed}_{run}.dmp");
        ClusterTestSizes.Corrupt(Dump(failedFed));
        using (var cut = File.Open(Dump(warnedFed), FileMode.Open, FileAccess.Write)) cut.SetLength(cut.Length / 2);

        await using var cluster = await LocalCluster.StartAsync(2, dir.Sub("data"), dir.Path, http: true);
        var (code, _, err) = await cluster.RunAsync(1, $"gaincal create {run} -i {input} -o {dir.Sub("out")}");
        Assert.True(code == 0, string.Join('\n', err));
        (code, _, err) = await cluster.RunAsync(1, $"gaincal submit {run}");
        Assert.True(code == 0, string.Join('\n', err));

        // The page as served, before any script or server-sent event: the run is in it.
        using var http = new HttpClient();
        var served = "";
        for (var sw = Stopwatch.StartNew(); sw.Elapsed < TimeSpan.FromSeconds(30) && !served.Contains($"\"run\":{run},"); await Task.Delay(250))
            served = await http.GetStringAsync(cluster.HttpUrl(1));
        Assert.Contains($"\"run\":{run},", served);
        Assert.DoesNotContain("/*SNAPSHOT*/", served);

        await using var browser = await HeadlessChromium.StartAsync(chromium, 1400, 1600);
        await browser.NavigateAsync(cluster.HttpUrl(1));
        var early = await WaitMapAsync(browser, p => p.Cells.Length == 108 && p.Updates >= 1, "the map drawn from the page's own snapshot", TimeSpan.FromSeconds(20));
        Assert.Equal(108, early.Cells.Count(c => c[1].GetString() != "absent"));

        var status = await cluster.WaitAsync(1, run, s => s.AllEnded, TimeSpan.FromMinutes(6), "every FED of the 108 ended");
        var ended = await WaitMapAsync(browser, p => p.Cells.Length == 108 && p.Cells.All(c => c[1].GetString() is "done" or "done-with-warnings" or "failed"),
            "every FED ended on the map", TimeSpan.FromSeconds(30));
        var screenshot = Path.Combine(LocalCluster.RepoRoot, "artifacts", $"dashboard-108-{DateTime.UtcNow:yyyyMMdd-HHmmss}.png");
        await browser.ScreenshotAsync(screenshot);
        TestContext.Current.TestOutputHelper?.WriteLine($"dashboard screenshot (108 FEDs): {screenshot}");
        Console.WriteLine($"dashboard screenshot (108 FEDs): {screenshot}");

        // The map: the 108 pixel FEDs, each once, in the state the coordinator reports.
        Assert.Equal(GainCal.Detector.PixelFeds.All, ended.Cells.Select(c => c[0].GetInt32()).Order());
        var phases = status.Feds.ToDictionary(f => f.Fed, f => StatusText.Name(f.Phase));
        foreach (var c in ended.Cells) Assert.Equal(phases[c[0].GetInt32()], c[1].GetString());
        string Colour(string state) => Assert.Single(ended.Legend, l => l[0] == state)[1];
        var failed = Assert.Single(ended.Cells, c => c[1].GetString() == "failed");
        Assert.Equal(failedFed, failed[0].GetInt32());
        Assert.Equal(Colour("failed"), failed[3].GetString());
        Assert.Equal("failed", failed[2].GetString());
        var done = ended.Cells.First(c => c[1].GetString() == "done");
        Assert.Equal(Colour("done"), done[3].GetString());
        Assert.NotEqual(Colour("done"), Colour("failed"));
        Assert.Contains("failed: 1", Assert.Single(ended.Legend, l => l[0] == "failed")[2]);

        // The selector lists the run (newest first), and its state filter keeps or drops it.
        Assert.Equal(run, Assert.Single(ended.Options)[0].GetUInt32());
        await browser.EvaluateAsync("document.getElementById('filter').value = 'created'; document.getElementById('filter').onchange()");
        Assert.Empty((await ReadMapAsync(browser)).Options);
        await browser.EvaluateAsync("document.getElementById('filter').value = 'failed'; document.getElementById('filter').onchange()");
        Assert.Equal(run, Assert.Single((await ReadMapAsync(browser)).Options)[0].GetUInt32());
        await browser.EvaluateAsync("document.getElementById('filter').value = ''; document.getElementById('filter').onchange()");

        // Finished FEDs show their figures: events, pixels, good fits, time (columns 5-8), as the coordinator has them.
        foreach (var f in status.Feds.Where(f => f.Phase.HasTable()))
        {
            var row = Assert.Single(ended.Rows, r => r[0] == $"{f.Fed}");
            Assert.Equal(f.Events.ToString("N0", CultureInfo.InvariantCulture), row[5]);
            Assert.Equal(f.Pixels.ToString("N0", CultureInfo.InvariantCulture), row[6]);
            Assert.StartsWith(f.GoodFits.ToString("N0", CultureInfo.InvariantCulture) + " (", row[7]);
            Assert.True(f.Events > 0 && f.Pixels > 0 && f.GoodFits > 0, $"FED {f.Fed}: {f}");
        }
        Assert.Equal(1, ended.Chart);
        Assert.Contains(ended.Load, n => n == cluster.Address(1));

        // Last, as it needs the warned state from the pipeline (h-warn): the cut dump's FED is warned, not done.
        var warned = Assert.Single(ended.Cells, c => c[0].GetInt32() == warnedFed);
        Assert.True(warned[1].GetString() == "done-with-warnings",
            $"FED {warnedFed} (its dump cut in half) is {warned[1].GetString()} on the map, not done-with-warnings");
        Assert.Equal(Colour("done-with-warnings"), warned[3].GetString());
        Assert.Equal("warn", warned[2].GetString());
    }

    /// <summary>Prometheus text: series (labels other than otel_scope_*) to value.</summary>
    static Dictionary<string, double> Parse(string text)
    {
        var result = new Dictionary<string, double>();
        foreach (var line in text.Split('\n').Where(l => l.StartsWith("gaincal_")))
        {
            var space = line.LastIndexOf(' ');
            var series = line[..space];
            var brace = series.IndexOf('{');
            var name = brace < 0 ? series : series[..brace];
            var labels = brace < 0 ? [] : series[(brace + 1)..^1].Split(',').Where(l => !l.StartsWith("otel_scope_")).ToArray();
            result[labels.Length == 0 ? name : $"{name}{{{string.Join(',', labels)}}}"] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }
        return result;
    }

    static async Task<PageState> WaitAsync(HeadlessChromium browser, Func<PageState, bool> condition, string what, TimeSpan? timeout = null)
    {
        var sw = Stopwatch.StartNew();
        PageState? last = null;
        while (sw.Elapsed < (timeout ?? TimeSpan.FromSeconds(60)))
        {
            last = await ReadAsync(browser);
            if (condition(last)) return last;
            await Task.Delay(200);
        }
        throw new TimeoutException($"dashboard: {what} not seen; page text:\n{last?.Text}");
    }

    internal static void Simulate(string dir, uint run, string feds, int rocsPerFed, params string[] more)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "gaincal.dll"), "simulate", dir, "--run", $"{run}",
                     "--feds", feds, "--rocs-per-fed", $"{rocsPerFed}" }.Concat(more))
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"gaincal simulate failed: {stdout.Result}{stderr}");
    }
}
