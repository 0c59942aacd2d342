using System.CommandLine;
using System.Text.Json;

namespace GainCal.Cli.Commands;

/// <summary>Which node's command host a command goes to, set once instead of on every command. The first that is set wins:
/// --node, the environment variable GAINCAL_NODE, "node" in the CLI's config file, 127.0.0.1:9110.</summary>
internal static class NodeAddress
{
    public const string Variable = "GAINCAL_NODE";
    public const string Default = "127.0.0.1:9110";
    const string Precedence = "when not given: $GAINCAL_NODE, else \"node\" in ~/.config/gaincal/cli.json, else 127.0.0.1:9110";

    /// <summary>$XDG_CONFIG_HOME/gaincal/cli.json, or ~/.config/gaincal/cli.json: {"node": "HOST:PORT"}.</summary>
    public static string ConfigFile => Path.Combine(
        Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config"),
        "gaincal", "cli.json");

    /// <param name="use">What the node is for (the option's help text).</param>
    public static Option<string> Option(string use) => new("--node")
    {
        Description = $"{use}, HOST:PORT; {Precedence}",
        DefaultValueFactory = _ => Resolve(),
    };

    /// <summary>The node when --node is not given; a config file that cannot be read is the operator's one-line error naming it.</summary>
    public static string Resolve()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } set) return set.Trim();
        var file = ConfigFile;
        if (!File.Exists(file)) return Default;
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            if (json.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{file}: expected a JSON object like {{\"node\": \"127.0.0.1:9110\"}}");
            if (!json.RootElement.TryGetProperty("node", out var node)) return Default;
            return node.ValueKind == JsonValueKind.String && node.GetString() is { Length: > 0 } text
                ? text.Trim()
                : throw new InvalidDataException($"{file}: \"node\" must be a string HOST:PORT, e.g. \"127.0.0.1:9110\"");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file}: not JSON ({e.Message})", e);
        }
    }
}
