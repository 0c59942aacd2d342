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
          updates: Number(document.body.dataset.updates),
          members: [...document.querySelectorAll('[data-member]')].map(e => [e.dataset.member, e.dataset.status]),
          feds: [...document.querySelectorAll('[data-fed]')].map(e => [Number(e.dataset.fed), e.dataset.phase, Number(e.dataset.bytes),
                                                                      e.querySelector('.error').textContent]),
          text: document.body.innerText
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
        Simulate(input);
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

    static void Simulate(string dir)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "gaincal.dll"), "simulate", dir, "--run", $"{Run}",
                     "--feds", string.Join(',', Feds), "--rocs-per-fed", $"{RocsPerFed}", "--no-truth" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"gaincal simulate failed: {stdout.Result}{stderr}");
    }
}
