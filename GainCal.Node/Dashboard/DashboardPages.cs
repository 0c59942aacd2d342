using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Hosting;
using GainCal.Calibration;
using GainCal.Cluster;
using GainCal.Reports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using HttpResults = Microsoft.AspNetCore.Http.Results;

namespace GainCal.Node.Dashboard;

/// <summary>
/// The dashboard's pages beside the live view: /pixel (one pixel's curve from a run, what `gaincal pixel` shows) and
/// /history (`gaincal history` over every merged run the cluster knows, with its plots and CSV under /history/FILE).
/// Both compute with the Reports code and write their products under the node's data directory (never into a run's
/// output, which a GET must not change). Bad input is a one-line answer with a 4xx status.
/// </summary>
public sealed partial class DashboardPages(IReadOnlyActorRegistry registry, NodeSettings settings)
{
    static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    readonly PathConfinement _paths = PathConfinement.Of(settings);
    readonly string _home = Path.GetFullPath(settings.DataDir);
    // A merged run's summary, by run and merged table checksum: a run merged again is summarised again.
    readonly ConcurrentDictionary<(uint Run, string? Checksum), RunSummary> _summaries = new();
    readonly SemaphoreSlim _historyWrite = new(1, 1);

    string HistoryDirectory => Path.Combine(_home, "history");

    public static void Map(WebApplication app)
    {
        app.MapGet("/pixel", (uint? run, string? pixel, DashboardPages pages, CancellationToken ct) => pages.PixelAsync(run, pixel, ct));
        app.MapGet("/history", (DashboardPages pages, CancellationToken ct) => pages.HistoryAsync(ct));
        app.MapGet("/history/{file}", (string file, DashboardPages pages) => pages.HistoryFile(file));
    }

    async Task<IResult> PixelAsync(uint? run, string? pixel, CancellationToken ct)
    {
        if (run is not { } number || string.IsNullOrWhiteSpace(pixel))
            return Page("Pixel curve", PixelForm(run, pixel) + "<p>give a run and a pixel (FED/link/ROC/row/col or DetId/row/col)</p>", 400);
        if (await StatusAsync(number, ct) is not { } status)
            return Page("Pixel curve", PixelForm(run, pixel) + $"<p class=\"error\">{Html(RunRegistry.Unknown(number))}</p>", 404);
        try
        {
            var (curve, text, png) = await Task.Run(() =>
            {
                foreach (var path in new[] { status.OutputDir, status.InputDir }) _paths.Check(path);
                var setup = SetupCache.For(status.VCalPath, _paths);
                var address = PixelCurveReader.Parse(pixel.Trim(), setup);
                var (c, indexRun) = PixelCurveReader.ReadFromOutput(status.OutputDir, status.InputDir, setup, address);
                var outputs = PixelCurveReport.Write(c, Path.Combine(_home, "pixels", number.ToString(CultureInfo.InvariantCulture)), indexRun);
                return (c, outputs.Text, File.ReadAllBytes(outputs.Png));
            }, ct);
            var body = new StringBuilder(PixelForm(run, pixel));
            body.Append(CultureInfo.InvariantCulture, $"<h2 data-pixel=\"{Html(PixelCurveReport.BaseName(curve))}\">Run {number}: {Html(curve.Pixel.ToString())}</h2>");
            body.Append(CultureInfo.InvariantCulture, $"<img alt=\"pixel curve\" width=\"760\" height=\"500\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\">");
            body.Append(CultureInfo.InvariantCulture, $"<pre id=\"curve\">{Html(text)}</pre>");
            body.Append(CultureInfo.InvariantCulture, $"<details><summary>CSV</summary><pre id=\"csv\">{Html(PixelCurveReport.Csv(curve))}</pre></details>");
            return Page($"Run {number} pixel {pixel}", body.ToString(), 200);
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            var code = e is FileNotFoundException or DirectoryNotFoundException ? 404 : e is PathOutsideRootsException ? 403 : 400;
            return Page("Pixel curve", PixelForm(run, pixel) + $"<p class=\"error\">{Html(e.Message)}</p>", code);
        }
    }

    async Task<IResult> HistoryAsync(CancellationToken ct)
    {
        RunStatusView[] runs;
        try
        {
            runs = (await registry.Get<RunCoordinatorProxy>().Ask<RunList>(new ListRuns(true), AskTimeout, ct)).Runs;
        }
        catch (AskTimeoutException)
        {
            return Page("History", "<p class=\"error\">the run coordinator did not answer in time</p>", 503);
        }
        var merged = runs.Where(r => r.Merge is { Ok: true }).OrderBy(r => r.Run).ToList();
        var problems = new List<string>();
        var summaries = new List<RunSummary>();
        // The first view of a run reads its tables (seconds for a full run); later views take the kept summary.
        await Task.Run(() =>
        {
            foreach (var r in merged)
            {
                try
                {
                    _paths.Check(r.OutputDir);
                    summaries.Add(_summaries.GetOrAdd((r.Run, r.Merge!.Checksum), _ => RunSummaries.Of(r.OutputDir, _ => { })));
                }
                catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
                {
                    problems.Add($"run {r.Run}: {e.Message}");
                }
            }
        }, ct);
        var body = new StringBuilder();
        foreach (var p in problems) body.Append(CultureInfo.InvariantCulture, $"<p class=\"error\">{Html(p)}</p>");
        if (summaries.Count == 0)
            return Page("History", body + "<p>no merged run yet: the history shows the runs the cluster has merged</p>", 200);

        var points = RunHistory.Of(summaries);
        IReadOnlyList<string> files;
        await _historyWrite.WaitAsync(ct);
        try
        {
            files = await Task.Run(() => RunHistory.Write(points, HistoryDirectory), ct);
        }
        finally
        {
            _historyWrite.Release();
        }
        var numbers = summaries.Select(s => s.Run).Order().ToList();
        var version = string.Join('-', merged.Select(r => $"{r.Run}.{r.Merge!.Checksum}")).GetHashCode().ToString("x", CultureInfo.InvariantCulture);
        body.Append(CultureInfo.InvariantCulture,
            $"<p id=\"runs\" data-runs=\"{string.Join(',', numbers)}\">{numbers.Count} merged runs: {string.Join(", ", numbers)} &middot; <a href=\"history/history.csv?v={version}\">history.csv</a></p>");
        foreach (var q in RunHistory.Quantities)
        {
            body.Append(CultureInfo.InvariantCulture, $"<h2>{Html(q.Title)}</h2><table data-quantity=\"{Html(q.Name)}\"><thead><tr><th>part</th>");
            foreach (var n in numbers) body.Append(CultureInfo.InvariantCulture, $"<th>run {n}</th>");
            body.Append("</tr></thead><tbody>");
            foreach (var g in points.Where(p => p.Quantity == q.Name).Select(p => p.Group).Distinct().Order())
            {
                body.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html(Subdetectors.Name(g))}</td>");
                foreach (var n in numbers)
                    body.Append(points.FirstOrDefault(p => p.Run == n && p.Quantity == q.Name && p.Group == g) is { } p
                        ? string.Create(CultureInfo.InvariantCulture, $"<td class=\"num\" data-run=\"{n}\" data-group=\"{Html(p.GroupName)}\">{p.Value.Mean:G5} &plusmn; {p.Value.Rms:G3}</td>")
                        : "<td></td>");
                body.Append("</tr>");
            }
            body.Append("</tbody></table>");
            foreach (var png in files.Where(f => Path.GetFileName(f).StartsWith($"HISTORY_{q.Name}_", StringComparison.Ordinal)))
                body.Append(CultureInfo.InvariantCulture, $"<img class=\"trend\" alt=\"{Html(Path.GetFileName(png))}\" src=\"history/{Html(Path.GetFileName(png))}?v={version}\">");
        }
        return Page("History of merged runs", body.ToString(), 200);
    }

    [GeneratedRegex(@"^(HISTORY_[A-Za-z0-9_]+\.png|history\.csv)$")]
    private static partial Regex HistoryFileName();

    IResult HistoryFile(string file)
    {
        if (!HistoryFileName().IsMatch(file)) return HttpResults.Text($"{file}: not a history product", statusCode: 404);
        var path = Path.Combine(HistoryDirectory, file);
        if (!File.Exists(path)) return HttpResults.Text($"{file}: not written yet (open /history first)", statusCode: 404);
        return HttpResults.Bytes(File.ReadAllBytes(path), file.EndsWith(".png", StringComparison.Ordinal) ? "image/png" : "text/csv");
    }

    async Task<RunStatusView?> StatusAsync(uint run, CancellationToken ct) =>
        (await registry.Get<RunCoordinatorProxy>().Ask<RunStatusReply>(new GetRunStatus(run), AskTimeout, ct)).Status;

    static string PixelForm(uint? run, string? pixel) =>
        $"<form action=\"pixel\" method=\"get\">run <input name=\"run\" size=\"8\" value=\"{run}\"> pixel <input name=\"pixel\" size=\"22\" " +
        $"placeholder=\"FED/link/ROC/row/col\" value=\"{Html(pixel)}\"> <button>show</button> <span class=\"sub\">(or DetId/row/col)</span></form>";

    static string Html(string? s) => WebUtility.HtmlEncode(s ?? "");

    static IResult Page(string title, string body, int status) =>
        HttpResults.Content($$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>{{Html(title)}}</title>
            <style>
              body { font: 14px/1.4 "DejaVu Sans", Arial, sans-serif; margin: 16px 24px; color: #1b1f24; background: #f6f7f9; }
              h1 { font-size: 20px; margin: 0 0 8px; } h2 { font-size: 16px; margin: 18px 0 6px; }
              table { border-collapse: collapse; background: #fff; margin-bottom: 8px; }
              th, td { border: 1px solid #d0d4da; padding: 3px 8px; text-align: left; } th { background: #e9ecf0; }
              td.num { text-align: right; font-variant-numeric: tabular-nums; }
              .error { color: #b00020; } .sub { color: #555; } img { display: block; margin: 6px 0; background: #fff; }
              pre { background: #fff; border: 1px solid #d0d4da; padding: 6px; white-space: pre-wrap; }
              img.trend { display: inline-block; width: 49%; margin-right: 1%; }
            </style></head>
            <body><h1>{{Html(title)}}</h1><p class="sub"><a href="./">dashboard</a> &middot; <a href="history">history</a></p>
            {{body}}
            </body></html>
            """, "text/html; charset=utf-8", Encoding.UTF8, status);
}
