using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace GainCal.Tests.Operations;

/// <summary>Debian's chromium, headless, driven over the DevTools protocol (a WebSocket, no Playwright): one page
/// that stays open, so a test can watch it change without reloading it.</summary>
public sealed partial class HeadlessChromium : IAsyncDisposable
{
    readonly Process _process;
    readonly string _profile;
    readonly ClientWebSocket _socket = new();
    int _id;

    HeadlessChromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>$CHROMIUM, else chromium or chromium-browser on the PATH (deploy/deps/chromium.sh installs it).</summary>
    public static string? Find()
    {
        if (Environment.GetEnvironmentVariable("CHROMIUM") is { Length: > 0 } env && File.Exists(env)) return env;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        foreach (var name in new[] { "chromium", "chromium-browser" })
            if (File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        return null;
    }

    [GeneratedRegex(@"DevTools listening on (ws://\S+)")]
    private static partial Regex Listening();

    public static async Task<HeadlessChromium> StartAsync(string executable, int width, int height)
    {
        var profile = Directory.CreateTempSubdirectory("gaincal-chromium-").FullName;
        var psi = new ProcessStartInfo(executable) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                     $"--user-data-dir={profile}", "--remote-debugging-port=0", $"--window-size={width},{height}", "about:blank" })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        var browser = new HeadlessChromium(process, profile);
        _ = process.StandardOutput.ReadToEndAsync();
        // The browser prints its DevTools endpoint on stderr; its pages are listed over HTTP on the same port.
        var timeout = Stopwatch.StartNew();
        string? endpoint = null;
        while (endpoint is null && timeout.Elapsed < TimeSpan.FromSeconds(30))
        {
            var line = await process.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            if (line is null) break;
            if (Listening().Match(line) is { Success: true } m) endpoint = m.Groups[1].Value;
        }
        if (endpoint is null)
        {
            await browser.DisposeAsync();
            throw new InvalidOperationException($"{executable} did not open its DevTools endpoint");
        }
        _ = process.StandardError.ReadToEndAsync();
        var port = new Uri(endpoint).Port;
        using var http = new HttpClient();
        var pages = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"))!.AsArray();
        var page = pages.First(p => (string?)p!["type"] == "page")!;
        await browser._socket.ConnectAsync(new Uri((string)page["webSocketDebuggerUrl"]!), CancellationToken.None);
        return browser;
    }

    /// <summary>Sends one DevTools command and returns its result (events in between are skipped).</summary>
    public async Task<JsonNode> SendAsync(string method, object parameters)
    {
        var id = Interlocked.Increment(ref _id);
        var request = JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters });
        await _socket.SendAsync(request, WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[1 << 16];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult r;
            do
            {
                r = await _socket.ReceiveAsync(buffer, timeout.Token);
                message.Write(buffer, 0, r.Count);
            } while (!r.EndOfMessage);
            var reply = JsonNode.Parse(Encoding.UTF8.GetString(message.ToArray()))!;
            if ((int?)reply["id"] != id) continue;
            if (reply["error"] is { } error) throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
            return reply["result"]!;
        }
    }

    public Task NavigateAsync(string url) => SendAsync("Page.navigate", new { url });

    /// <summary>Navigates and waits until the new document has loaded: a screenshot taken while the navigation is
    /// still committing fails with "Not attached to an active page".</summary>
    public async Task LoadAsync(string url, TimeSpan timeout)
    {
        // A mark on the document being left: the new one has none.
        await EvaluateAsync("window.gaincalLeft = true");
        await NavigateAsync(url);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            try
            {
                if (await EvaluateAsync("!window.gaincalLeft && document.readyState === 'complete'") == "true") return;
            }
            catch (InvalidOperationException)
            {
                // The page is between documents; ask again.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{url} did not load in {timeout.TotalSeconds} s");
    }

    /// <summary>Evaluates a JavaScript expression in the page and returns its value as JSON text.</summary>
    public async Task<string> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new { expression, returnByValue = true, awaitPromise = true });
        if (result["exceptionDetails"] is { } e) throw new InvalidOperationException($"page script failed: {e.ToJsonString()}");
        return result["result"]?["value"]?.ToJsonString() ?? "null";
    }

    public async Task ScreenshotAsync(string path)
    {
        var result = await SendAsync("Page.captureScreenshot", new { format = "png", captureBeyondViewport = true });
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, Convert.FromBase64String((string)result["data"]!));
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
        _process.Dispose();
        try
        {
            Directory.Delete(_profile, true);
        }
        catch (IOException)
        {
        }
        return ValueTask.CompletedTask;
    }
}
