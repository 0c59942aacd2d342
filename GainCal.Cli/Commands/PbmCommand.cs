using System.CommandLine;
using GainCal.Operations;

namespace GainCal.Cli.Commands;

/// <summary>`gaincal pbm HOST:PORT [COMMAND...]`: Petabridge.Cmd's client for a node's command host. With a
/// command it runs it and exits with its code (0 done, 1 failed, 2 usage, 3 refused: wrong or missing secret; the client's own
/// errors, before the node answers, exit 1);
/// without one it opens the interactive prompt `[HOST:PORT] pbm>`.</summary>
public static class PbmCommand
{
    const string Usage = "usage: gaincal pbm HOST:PORT [PALETTE COMMAND [OPTIONS]] [--secret-file FILE]   (--secret-file may stand anywhere)";

    public static Command Create()
    {
        var endpoint = new Argument<string>("HOST:PORT") { Description = "the node's command host, e.g. 127.0.0.1:9110" };
        var words = new Argument<string[]>("COMMAND") { Description = "e.g. cluster show; none: interactive prompt", Arity = ArgumentArity.ZeroOrMore };
        var secretFile = new Option<string?>("--secret-file")
        {
            Description = $"file holding the node's CommandSecret (default: ${CommandHostClient.SecretVariable}); before or after HOST:PORT and the command",
        };
        var c = new Command("pbm", "Petabridge.Cmd-style client: cluster, cluster-sharding, actor, log and gaincal palettes of a node")
        {
            endpoint, words, secretFile,
        };
        // Command options (-d 3, -a ADDR) belong to the node's command, not to this client: take the raw tokens.
        c.TreatUnmatchedTokensAsErrors = false;
        c.SetAction((r, ct) => RunAsync(r.Tokens.Select(t => t.Value).SkipWhile(t => t != "pbm").Skip(1).ToArray(), ct));
        return c;
    }

    /// <summary>Tokens after `pbm`: --secret-file FILE anywhere (no node command has that option), the rest in order:
    /// HOST:PORT, then the command.</summary>
    public static async Task<int> RunAsync(string[] tokens, CancellationToken ct)
    {
        string? secretPath = null;
        var rest = new List<string>();
        for (var i = 0; i < tokens.Length; i++)
        {
            if (tokens[i] != "--secret-file")
            {
                rest.Add(tokens[i]);
                continue;
            }
            if (i + 1 >= tokens.Length) return Fail($"--secret-file needs a file\n{Usage}");
            secretPath = tokens[++i];
        }
        string? secret = null;
        if (secretPath is not null)
            try
            {
                secret = File.ReadAllText(secretPath).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Fail($"{secretPath}: cannot read the secret: {e.Message}");
            }
        if (rest.Count == 0) return Fail($"missing HOST:PORT\n{Usage}");
        var endpoint = rest[0];
        try
        {
            CommandHostClient.ParseEndpoint(endpoint);
        }
        catch (FormatException)
        {
            return Fail($"HOST:PORT '{endpoint}' is not a host and port, e.g. 127.0.0.1:9110\n{Usage}");
        }
        var command = rest[1..].ToArray();
        if (command.Length == 0) return await new PbmShell(endpoint, secret).RunAsync(ct);
        try
        {
            return await CommandHostClient.RunAsync(endpoint, CommandLineText.Join(command), Console.WriteLine, Console.Error.WriteLine, ct, secret);
        }
        catch (CommandHostUnreachableException e)
        {
            return Fail(e.Message);
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
    }

    /// <summary>The client's own failures (arguments, secret file, node unreachable): exit 1, as every gaincal error.</summary>
    static int Fail(string message)
    {
        Console.Error.WriteLine($"gaincal: error: {message}");
        return 1;
    }
}
