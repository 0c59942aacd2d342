using System.Text.RegularExpressions;

namespace GainCal.Operations;

/// <summary>One option of a command, pbm style: a switch with one value (Value names it) or a flag (Value null).</summary>
public sealed record CommandOption(string Switch, string? Value, string Description, bool Required = false);

/// <summary>A command of a palette: its name, what it does and its options (help, usage and tab completion).</summary>
public sealed record CommandSpec(string Name, string Description, IReadOnlyList<CommandOption> Options)
{
    public string Usage(string palette) =>
        string.Join(' ', new[] { palette, Name }.Concat(Options.Select(o =>
        {
            var text = o.Value is null ? o.Switch : $"{o.Switch} {o.Value}";
            return o.Required ? text : $"[{text}]";
        })));

    /// <summary>Switches named in a usage text (the gaincal palette describes its commands by usage only).</summary>
    public static CommandSpec FromUsage(string name, string description, string usage) =>
        new(name, description, Regex.Matches(usage, @"(?<![\w-])--?[A-Za-z][\w-]*").Select(m => m.Value).Distinct()
            .Select(s => new CommandOption(s, null, "")).ToArray());
}

/// <summary>What a command writes to: lines for stdout and stderr of the client, and the client's cancellation
/// (it disconnected, or pressed Ctrl-C during a streaming command).</summary>
public sealed class CommandOutput(Func<HostFrame, Task> emit, CancellationToken ct)
{
    public CancellationToken Cancelled => ct;
    public Task Out(string line) => emit(HostFrame.Out(line));
    public Task Err(string line) => emit(HostFrame.Err(line));
}

/// <summary>A command line that does not fit the command: answered with its usage and exit code 2.</summary>
public sealed class CommandUsageException(string message) : Exception(message);

/// <summary>The values of a command's options, checked against its spec.</summary>
public sealed class CommandArgs
{
    readonly Dictionary<string, string?> _given = [];

    public static CommandArgs Parse(CommandSpec spec, IReadOnlyList<string> args)
    {
        var parsed = new CommandArgs();
        for (var i = 0; i < args.Count; i++)
        {
            var option = spec.Options.FirstOrDefault(o => o.Switch == args[i])
                         ?? throw new CommandUsageException(args[i].StartsWith('-')
                             ? $"unknown option {args[i]}"
                             : $"unexpected argument '{args[i]}'");
            if (parsed._given.ContainsKey(option.Switch)) throw new CommandUsageException($"option {option.Switch} given twice");
            if (option.Value is null) parsed._given[option.Switch] = null;
            else if (i + 1 < args.Count) parsed._given[option.Switch] = args[++i];
            else throw new CommandUsageException($"option {option.Switch} needs a value ({option.Value})");
        }
        foreach (var o in spec.Options.Where(o => o.Required && !parsed._given.ContainsKey(o.Switch)))
            throw new CommandUsageException($"missing {o.Switch} {o.Value}");
        return parsed;
    }

    public string? Value(string option) => _given.GetValueOrDefault(option);
    public bool Flag(string option) => _given.ContainsKey(option);

    public int Int(string option, int fallback, int min, int max) =>
        Value(option) is not { } text ? fallback
        : int.TryParse(text, out var v) && v >= min && v <= max ? v
        : throw new CommandUsageException($"{option}: '{text}' is not a whole number from {min} to {max}");
}

/// <summary>A palette of commands served by the command host (pbm's notion: `cluster`, `actor`, `log` ...).</summary>
public abstract class CommandPalette
{
    public abstract string Name { get; }
    public abstract string Description { get; }
    public abstract IReadOnlyList<CommandSpec> Commands { get; }

    /// <summary>Runs a parsed command; returns the exit code (CommandPalettes.Ok / Failed).</summary>
    public abstract Task<int> ExecuteAsync(CommandSpec command, CommandArgs args, CommandOutput output);
}
