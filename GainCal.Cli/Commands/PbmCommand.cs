using System.CommandLine;
using GainCal.Operations;

namespace GainCal.Cli.Commands;

/// <summary>`gaincal pbm HOST:PORT [COMMAND...]`: Petabridge.Cmd's client for a node's command host. With a
/// command it runs it and exits with its code (0 done, 1 failed, 2 usage, 3 refused: wrong or missing secret);
/// without one it opens the interactive prompt `[HOST:PORT] pbm>`.</summary>
public static class PbmCommand
{
    const string Usage = "usage: gaincal pbm [--secret-file FILE] HOST:PORT [PALETTE COMMAND [OPTIONS]]";

    public static Command Create()
    {
        var endpoint = new Argument<string>("HOST:PORT") { Description = "the node's command host, e.g. 127.0.0.1:9110" };
        var words = new Argument<string[]>("COMMAND") { Description = "e.g. cluster show; none: interactive prompt", Arity = ArgumentArity.ZeroOrMore };
        var secretFile = new Option<string?>("--secret-file")
        {
            Description = $"file holding the node's CommandSecret (default: ${CommandHostClient.SecretVariable})",
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

    public static async Task<int> RunAsync(string[] tokens, CancellationToken ct)
    {
        string? secret = null;
        var i = 0;
        if (i < tokens.Length && tokens[i] == "--secret-file")
        {
            if (i + 1 >= tokens.Length) return Fail($"--secret-file needs a file\n{Usage}", 2);
            try
            {
                secret = File.ReadAllText(tokens[i + 1]).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Fail($"{tokens[i + 1]}: cannot read the secret: {e.Message}", 2);
            }
            i += 2;
        }
        if (i >= tokens.Length) return Fail(Usage, 2);
        var endpoint = tokens[i++];
        try
        {
            CommandHostClient.ParseEndpoint(endpoint);
        }
        catch (FormatException e)
        {
            return Fail(e.Message, 2);
        }
        var command = tokens[i..];
        if (command.Length == 0) return await new PbmShell(endpoint, secret).RunAsync(ct);
        try
        {
            return await CommandHostClient.RunAsync(endpoint, CommandLineText.Join(command), Console.WriteLine, Console.Error.WriteLine, ct, secret);
        }
        catch (CommandHostUnreachableException e)
        {
            return Fail(e.Message, 1);
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
    }

    static int Fail(string message, int code)
    {
        Console.Error.WriteLine($"pbm: {message}");
        return code;
    }
}
