using System.Text;
using GainCal.Operations;

namespace GainCal.Cli.Commands;

/// <summary>The interactive `pbm` prompt: one connection to the node for the whole session (reopened when it
/// drops), history with Up/Down, Tab completion of palettes, commands and options from the node's own catalogue
/// (`help --catalog`, as pbm downloads its palettes on connect), Ctrl-C stops a streaming command, `exit` leaves.
/// When standard input is not a terminal, lines are read plainly (scripts, tests).</summary>
public sealed class PbmShell(string endpoint, string? secret)
{
    readonly List<string> _history = [];
    // Keys typed while a command ran (the Ctrl-C watcher reads them): the next line starts with them.
    readonly Queue<ConsoleKeyInfo> _typeahead = new();
    string[][] _catalog = [];
    CommandHostConnection? _connection;

    string Prompt => $"[{endpoint}] pbm> ";

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var interactive = !Console.IsInputRedirected;
        var last = 0;
        await RefreshCatalogAsync(ct);
        while (!ct.IsCancellationRequested)
        {
            var line = interactive ? ReadLine() : ReadPlain();
            if (line is null) break;
            line = line.Trim();
            if (line.Length == 0) continue;
            if (_history.Count == 0 || _history[^1] != line) _history.Add(line);
            if (line is "exit" or "quit") break;
            last = await ExecuteAsync(line, interactive, ct);
        }
        if (_connection is not null) await _connection.DisposeAsync();
        return last;
    }

    string? ReadPlain()
    {
        Console.Write(Prompt);
        var line = Console.ReadLine();
        if (line is not null) Console.WriteLine(line);
        return line;
    }

    async Task<int> ExecuteAsync(string line, bool interactive, CancellationToken ct)
    {
        // Ctrl-C while a command runs stops that command (cluster tail), not the prompt: as a signal, or, on a
        // terminal the line editor left in raw mode, as a key.
        using var command = CancellationTokenSource.CreateLinkedTokenSource(ct);
        ConsoleCancelEventHandler stop = (_, e) =>
        {
            e.Cancel = true;
            command.Cancel();
        };
        Console.CancelKeyPress += stop;
        using var finished = new CancellationTokenSource();
        var keys = interactive ? WatchCtrlCAsync(command, finished.Token) : Task.CompletedTask;
        try
        {
            _connection ??= await CommandHostConnection.ConnectAsync(endpoint, secret, ct);
            var code = await _connection.RunAsync(line, Console.WriteLine, Console.Error.WriteLine, command.Token);
            if (code == CommandHostService.Refused)
            {
                await _connection.DisposeAsync();
                _connection = null;
            }
            return code;
        }
        catch (CommandHostUnreachableException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            if (_connection is not null) await _connection.DisposeAsync();
            _connection = null;
            return 1;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("pbm: cancelled");
            if (_connection is not null) await _connection.DisposeAsync();
            _connection = null;
            return 130;
        }
        finally
        {
            Console.CancelKeyPress -= stop;
            await finished.CancelAsync();
            await keys;
        }
    }

    async Task WatchCtrlCAsync(CancellationTokenSource command, CancellationToken finished)
    {
        Console.TreatControlCAsInput = true;
        try
        {
            while (!finished.IsCancellationRequested)
            {
                while (Console.KeyAvailable)
                {
                    var key = Console.ReadKey(intercept: true);
                    if (key is { Key: ConsoleKey.C } && key.Modifiers.HasFlag(ConsoleModifiers.Control)) await command.CancelAsync();
                    else _typeahead.Enqueue(key);
                }
                await Task.Delay(50, CancellationToken.None);
            }
        }
        finally
        {
            Console.TreatControlCAsInput = false;
        }
    }

    async Task RefreshCatalogAsync(CancellationToken ct)
    {
        var lines = new List<string>();
        try
        {
            _connection = await CommandHostConnection.ConnectAsync(endpoint, secret, ct);
            var code = await _connection.RunAsync("help --catalog", lines.Add, Console.Error.WriteLine, ct);
            if (code != 0)
            {
                await _connection.DisposeAsync();
                _connection = null;
                return;
            }
            _catalog = lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
            Console.WriteLine($"connected to {endpoint}: palettes {string.Join(", ", _catalog.Select(c => c[0]).Distinct())}; " +
                              "Tab completes, Up/Down recall, exit leaves");
        }
        catch (CommandHostUnreachableException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
        }
    }

    /// <summary>Candidates for the word being typed, given the words before it.</summary>
    public static IEnumerable<string> Complete(string[][] catalog, IReadOnlyList<string> before, string partial)
    {
        IEnumerable<string> options = before.Count switch
        {
            0 => catalog.Select(c => c[0]).Append("exit"),
            1 => catalog.Where(c => c[0] == before[0] && c.Length > 1).Select(c => c[1]),
            _ => catalog.Where(c => c.Length > 2 && c[0] == before[0] && c[1] == before[1]).SelectMany(c => c.Skip(2)).Except(before),
        };
        return options.Distinct().Where(o => o.StartsWith(partial, StringComparison.Ordinal)).Order(StringComparer.Ordinal);
    }

    /// <summary>A line editor on Console.ReadKey: typing, Backspace, Left/Right, Home/End, Up/Down history, Tab,
    /// Ctrl-C clears the line, Ctrl-D on an empty line ends the session.</summary>
    string? ReadLine()
    {
        Console.TreatControlCAsInput = true;
        try
        {
            var text = new StringBuilder();
            var cursor = 0;
            var recalled = _history.Count;
            Console.Write(Prompt);
            while (true)
            {
                var key = _typeahead.Count > 0 ? _typeahead.Dequeue() : Console.ReadKey(intercept: true);
                switch (key.Key)
                {
                    case ConsoleKey.Enter:
                        Console.WriteLine();
                        return text.ToString();
                    case ConsoleKey.Backspace when cursor > 0:
                        text.Remove(--cursor, 1);
                        break;
                    case ConsoleKey.Delete when cursor < text.Length:
                        text.Remove(cursor, 1);
                        break;
                    case ConsoleKey.LeftArrow when cursor > 0:
                        cursor--;
                        break;
                    case ConsoleKey.RightArrow when cursor < text.Length:
                        cursor++;
                        break;
                    case ConsoleKey.Home:
                        cursor = 0;
                        break;
                    case ConsoleKey.End:
                        cursor = text.Length;
                        break;
                    case ConsoleKey.UpArrow when recalled > 0:
                    case ConsoleKey.DownArrow when recalled < _history.Count:
                        recalled += key.Key == ConsoleKey.UpArrow ? -1 : 1;
                        text.Clear().Append(recalled < _history.Count ? _history[recalled] : "");
                        cursor = text.Length;
                        break;
                    case ConsoleKey.Tab:
                        cursor = CompleteAt(text, cursor);
                        break;
                    case ConsoleKey.C when key.Modifiers.HasFlag(ConsoleModifiers.Control):
                        Console.WriteLine("^C");
                        text.Clear();
                        cursor = 0;
                        Console.Write(Prompt);
                        continue;
                    case ConsoleKey.D when key.Modifiers.HasFlag(ConsoleModifiers.Control) && text.Length == 0:
                        Console.WriteLine();
                        return null;
                    default:
                        if (key.KeyChar >= ' ' && !key.Modifiers.HasFlag(ConsoleModifiers.Control)) text.Insert(cursor++, key.KeyChar);
                        break;
                }
                Redraw(text, cursor);
            }
        }
        finally
        {
            Console.TreatControlCAsInput = false;
        }
    }

    int CompleteAt(StringBuilder text, int cursor)
    {
        var head = text.ToString(0, cursor);
        var start = head.LastIndexOf(' ') + 1;
        var before = head[..start].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var partial = head[start..];
        var candidates = Complete(_catalog, before, partial).ToList();
        if (candidates.Count == 0) return cursor;
        var common = candidates.Aggregate((a, b) => a[..Enumerable.Range(0, Math.Min(a.Length, b.Length)).TakeWhile(i => a[i] == b[i]).Count()]);
        var insert = common[partial.Length..] + (candidates.Count == 1 ? " " : "");
        if (candidates.Count > 1 && insert.Length == 0)
        {
            Console.WriteLine();
            Console.WriteLine(string.Join("  ", candidates));
            Console.Write(Prompt);
        }
        text.Insert(cursor, insert);
        return cursor + insert.Length;
    }

    void Redraw(StringBuilder text, int cursor)
    {
        Console.Write("\r" + Prompt + text + "\x1b[K");
        var back = text.Length - cursor;
        if (back > 0) Console.Write($"\x1b[{back}D");
    }
}
