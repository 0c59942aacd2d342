using System.Diagnostics;
using System.Globalization;

namespace GainCal.Cli.Commands;

/// <summary>A one-line progress bar on a terminal; silent when the output is redirected (logs, pipes, CI).</summary>
internal sealed class TerminalProgress : IDisposable
{
    private readonly string _label;
    private readonly bool _enabled = !Console.IsErrorRedirected;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDrawMs = -1000;

    public TerminalProgress(string label) => _label = label;

    public void Update(double fraction, string detail)
    {
        if (!_enabled) return;
        var now = _clock.ElapsedMilliseconds;
        if (now - _lastDrawMs < 100 && fraction < 1) return;
        _lastDrawMs = now;
        const int width = 30;
        var f = Math.Clamp(fraction, 0, 1);
        var filled = (int)(f * width);
        var eta = f > 0.01 ? TimeSpan.FromMilliseconds(now * (1 - f) / f).ToString(@"m\:ss", CultureInfo.InvariantCulture) : "-";
        Console.Error.Write($"\r{_label} [{new string('#', filled)}{new string('.', width - filled)}] {f * 100,5:F1}%  {detail}  eta {eta}   ");
    }

    public void Dispose()
    {
        if (_enabled && _lastDrawMs >= 0) Console.Error.WriteLine();
    }
}
