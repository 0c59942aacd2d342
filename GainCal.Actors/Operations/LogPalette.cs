using Akka.Actor;
using Akka.Event;
using Microsoft.Extensions.Logging;

namespace GainCal.Operations;

/// <summary>The last entries of the node's log in memory (what petabridge.cmd-log-memorizer keeps for pbm's
/// `log` palette): Akka's log events and the host's own (command host, web) log lines.</summary>
public sealed class LogRing
{
    public sealed record Entry(DateTime Utc, string Level, string Source, string Message)
    {
        public override string ToString() => $"{Utc:yyyy-MM-ddTHH:mm:ss.fffZ} [{Level}] {Source}: {Message}";
    }

    public const int Capacity = 2000;
    readonly Entry[] _entries = new Entry[Capacity];
    long _next;

    public void Add(Entry e)
    {
        lock (_entries) _entries[_next++ % Capacity] = e;
    }

    /// <summary>The newest <paramref name="max"/> entries, oldest first.</summary>
    public Entry[] Last(int max)
    {
        lock (_entries)
        {
            var n = (int)Math.Min(Math.Min(max, _next), Capacity);
            var result = new Entry[n];
            for (var i = 0; i < n; i++) result[i] = _entries[(_next - n + i) % Capacity];
            return result;
        }
    }

    public static readonly string[] Levels = ["DEBUG", "INFO", "WARNING", "ERROR"];
}

/// <summary>An Akka logger (akka.loggers) that keeps every log event at or above akka.loglevel in the node's
/// <see cref="LogRing"/>; as a logger it runs from the ActorSystem's first line, before the cluster joins.</summary>
public sealed class LogMemorizer : ReceiveActor, Akka.Dispatch.IRequiresMessageQueue<Akka.Event.ILoggerMessageQueueSemantics>
{
    public LogMemorizer()
    {
        var ring = Akka.DependencyInjection.DependencyResolver.For(Context.System).Resolver.GetService<LogRing>();
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e => ring.Add(new LogRing.Entry(e.Timestamp.ToUniversalTime(), Level(e.LogLevel()), e.LogSource, MessageOf(e))));
    }

    static string MessageOf(LogEvent e) => e is Error { Cause: { } cause } ? $"{e.Message} ({cause.GetType().Name}: {cause.Message})" : e.Message?.ToString() ?? "";

    static string Level(Akka.Event.LogLevel level) => level switch
    {
        Akka.Event.LogLevel.DebugLevel => "DEBUG",
        Akka.Event.LogLevel.InfoLevel => "INFO",
        Akka.Event.LogLevel.WarningLevel => "WARNING",
        _ => "ERROR",
    };

}

/// <summary>Feeds Microsoft.Extensions.Logging entries (information and above) into the same ring.</summary>
public sealed class LogRingLoggerProvider(LogRing ring) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new RingLogger(ring, categoryName);
    public void Dispose() { }

    sealed class RingLogger(LogRing ring, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= Microsoft.Extensions.Logging.LogLevel.Information;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var level = logLevel switch
            {
                Microsoft.Extensions.Logging.LogLevel.Information => "INFO",
                Microsoft.Extensions.Logging.LogLevel.Warning => "WARNING",
                _ => "ERROR",
            };
            var text = formatter(state, exception);
            ring.Add(new LogRing.Entry(DateTime.UtcNow, level, category, exception is null ? text : $"{text} ({exception.GetType().Name}: {exception.Message})"));
        }
    }
}

/// <summary>Petabridge.Cmd's `log` palette over the node's <see cref="LogRing"/>.</summary>
public sealed class LogPalette(LogRing ring) : CommandPalette
{
    static readonly CommandOption Level = new("-l", "LEVEL", "lowest level shown: DEBUG, INFO, WARNING or ERROR (default: all kept)");

    public override string Name => "log";
    public override string Description => $"the node's recent log, kept in memory (last {LogRing.Capacity} entries)";

    public override IReadOnlyList<CommandSpec> Commands { get; } =
    [
        new("peek", "the newest log entries", [new CommandOption("-n", "COUNT", "how many (default 20)"), Level]),
        new("slurp", $"every log entry kept in memory", [Level]),
    ];

    public override async Task<int> ExecuteAsync(CommandSpec command, CommandArgs args, CommandOutput output)
    {
        var min = 0;
        if (args.Value("-l") is { } level && (min = Array.IndexOf(LogRing.Levels, level.ToUpperInvariant())) < 0)
            throw new CommandUsageException($"-l: '{level}' is not DEBUG, INFO, WARNING or ERROR");
        var entries = ring.Last(LogRing.Capacity).Where(e => Array.IndexOf(LogRing.Levels, e.Level) >= min).ToArray();
        var count = command.Name == "peek" ? args.Int("-n", 20, 1, LogRing.Capacity) : entries.Length;
        foreach (var e in entries.Skip(Math.Max(0, entries.Length - count))) await output.Out(e.ToString());
        return CommandPalettes.Ok;
    }
}
