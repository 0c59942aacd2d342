using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MessagePack;

namespace GainCal.Operations;

public enum FrameKind : byte
{
    Command = 0,   // client -> host: one command line
    Out = 1,       // host -> client: a line for standard output
    Err = 2,       // host -> client: a line for standard error
    Exit = 3,      // host -> client: the command ended with Code
    Hello = 4,     // host -> client, first frame: Code 1 = a secret is required, Text = the challenge (base64)
    Auth = 5,      // client -> host: Text = hex HMAC-SHA256 of the challenge, keyed with the shared secret
    Cancel = 6,    // client -> host: stop the running command (Ctrl-C during `cluster tail`)
}

/// <summary>The command host's wire unit: 4-byte big-endian length, then this record in MessagePack.</summary>
[MessagePackObject]
public sealed record HostFrame(
    [property: Key(0)] FrameKind Kind,
    [property: Key(1)] string Text,
    [property: Key(2)] int Code)
{
    public static HostFrame Command(string line) => new(FrameKind.Command, line, 0);
    public static HostFrame Out(string line) => new(FrameKind.Out, line, 0);
    public static HostFrame Err(string line) => new(FrameKind.Err, line, 0);
    public static HostFrame Exit(int code) => new(FrameKind.Exit, "", code);
    public static HostFrame Hello(string? challenge) => new(FrameKind.Hello, challenge ?? "", challenge is null ? 0 : 1);
    public static HostFrame Cancel() => new(FrameKind.Cancel, "", 0);
}

public static class Framing
{
    /// <summary>No legitimate frame comes near this; a larger length means a confused or hostile peer.</summary>
    public const int MaxFrameBytes = 1 << 20;

    static readonly MessagePackSerializerOptions Options =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    public static async Task WriteAsync(Stream stream, HostFrame frame, CancellationToken ct)
    {
        var body = MessagePackSerializer.Serialize(frame, Options, ct);
        var buffer = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(buffer, body.Length);
        body.CopyTo(buffer, 4);
        await stream.WriteAsync(buffer, ct);
        await stream.FlushAsync(ct);
    }

    /// <summary>The next frame, or null when the peer closed the connection between frames.</summary>
    public static async Task<HostFrame?> ReadAsync(Stream stream, CancellationToken ct)
    {
        var header = new byte[4];
        var got = await stream.ReadAtLeastAsync(header, 4, throwOnEndOfStream: false, ct);
        if (got == 0) return null;
        if (got < 4) throw new InvalidDataException("connection closed inside a frame header");
        var length = BinaryPrimitives.ReadInt32BigEndian(header);
        if (length is < 0 or > MaxFrameBytes) throw new InvalidDataException($"frame length {length} out of range");
        var body = new byte[length];
        await stream.ReadExactlyAsync(body, ct);
        return MessagePackSerializer.Deserialize<HostFrame>(body, Options, ct);
    }
}

/// <summary>Command lines as a shell splits them: whitespace separates, '…' and "…" group, \ escapes.</summary>
public static class CommandLineText
{
    public static string[] Split(string line)
    {
        var args = new List<string>();
        var current = new StringBuilder();
        var inArg = false;
        char quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                else if (c == '\\' && quote == '"' && i + 1 < line.Length && line[i + 1] is '"' or '\\') current.Append(line[++i]);
                else current.Append(c);
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inArg) args.Add(current.ToString());
                current.Clear();
                inArg = false;
            }
            else
            {
                inArg = true;
                if (c is '"' or '\'') quote = c;
                else if (c == '\\' && i + 1 < line.Length) current.Append(line[++i]);
                else current.Append(c);
            }
        }
        if (quote != '\0') throw new FormatException($"unterminated {quote} quote");
        if (inArg) args.Add(current.ToString());
        return args.ToArray();
    }

    public static string Join(IEnumerable<string> args) => string.Join(' ', args.Select(Quote));

    static string Quote(string a) =>
        a.Length > 0 && a.All(c => char.IsLetterOrDigit(c) || "-_./:,=+@%".Contains(c))
            ? a
            : "'" + a.Replace("'", "'\"'\"'") + "'";
}

/// <summary>Client side of the command host: sends one command line, streams the answer.</summary>
public static class CommandHostClient
{
    /// <summary>Where clients take the shared secret from when none is given: the variable that also configures a node.</summary>
    public const string SecretVariable = "GAINCAL_COMMANDSECRET";

    public static (string Host, int Port) ParseEndpoint(string endpoint)
    {
        var i = endpoint.LastIndexOf(':');
        if (i <= 0 || !int.TryParse(endpoint[(i + 1)..], out var port) || port is <= 0 or > 65535)
            throw new FormatException($"--node {endpoint}: expected HOST:PORT, e.g. 127.0.0.1:9110");
        return (endpoint[..i], port);
    }

    /// <summary>Runs the command on the node and returns its exit code; lines are handed over as they arrive.
    /// Throws CommandHostUnreachableException when the node cannot be reached or drops the connection.
    /// The secret defaults to $GAINCAL_COMMANDSECRET.</summary>
    public static async Task<int> RunAsync(string endpoint, string commandLine, Action<string> stdout, Action<string> stderr,
        CancellationToken ct = default, string? secret = null)
    {
        await using var connection = await CommandHostConnection.ConnectAsync(endpoint, secret, ct);
        return await connection.RunAsync(commandLine, stdout, stderr, ct);
    }
}

/// <summary>One connection to a command host; carries any number of commands, one at a time.</summary>
public sealed class CommandHostConnection : IAsyncDisposable
{
    readonly TcpClient _client;
    readonly Stream _stream;
    public string Endpoint { get; }

    CommandHostConnection(string endpoint, TcpClient client)
    {
        Endpoint = endpoint;
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<CommandHostConnection> ConnectAsync(string endpoint, string? secret, CancellationToken ct)
    {
        var (host, port) = CommandHostClient.ParseEndpoint(endpoint);
        var client = new TcpClient { NoDelay = true };
        try
        {
            using var connect = CancellationTokenSource.CreateLinkedTokenSource(ct);
            connect.CancelAfter(TimeSpan.FromSeconds(5));
            await client.ConnectAsync(host, port, connect.Token);
            var connection = new CommandHostConnection(endpoint, client);
            var hello = await Framing.ReadAsync(connection._stream, connect.Token);
            if (hello is not { Kind: FrameKind.Hello })
                throw new CommandHostUnreachableException($"{endpoint} is not a GainCal command host (no greeting)");
            secret ??= Environment.GetEnvironmentVariable(CommandHostClient.SecretVariable);
            // Without a secret the command goes out unauthenticated: the host refuses it and says why.
            if (hello.Code == 1 && !string.IsNullOrEmpty(secret))
                await Framing.WriteAsync(connection._stream, new HostFrame(FrameKind.Auth, CommandSecret.Answer(secret, hello.Text), 0), ct);
            return connection;
        }
        catch (Exception e) when (e is SocketException or IOException or InvalidDataException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            client.Dispose();
            throw new CommandHostUnreachableException($"cannot reach node {endpoint}: {e switch
            {
                SocketException se => se.Message,
                OperationCanceledException => "connect timed out",
                _ => e.Message,
            }}");
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Runs one command. Cancelling <paramref name="ct"/> asks the host to stop it (Ctrl-C on `cluster tail`)
    /// and waits a moment for its exit code.</summary>
    public async Task<int> RunAsync(string commandLine, Action<string> stdout, Action<string> stderr, CancellationToken ct = default)
    {
        using var reading = new CancellationTokenSource();
        await using var onCancel = ct.Register(() =>
        {
            _ = Framing.WriteAsync(_stream, HostFrame.Cancel(), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
            reading.CancelAfter(TimeSpan.FromSeconds(3));
        });
        try
        {
            await Framing.WriteAsync(_stream, HostFrame.Command(commandLine), ct);
            while (await Framing.ReadAsync(_stream, reading.Token) is { } frame)
            {
                switch (frame.Kind)
                {
                    case FrameKind.Out: stdout(frame.Text); break;
                    case FrameKind.Err: stderr(frame.Text); break;
                    case FrameKind.Exit: return frame.Code;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidDataException)
        {
            throw new CommandHostUnreachableException($"node {Endpoint} dropped the connection: {e.Message}");
        }
        throw new CommandHostUnreachableException($"node {Endpoint} closed the connection before the command ended");
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>The shared-secret challenge: the host sends random bytes, the client answers their HMAC-SHA256 keyed
/// with the secret, so the secret itself never crosses the wire and an answer cannot be replayed.</summary>
public static class CommandSecret
{
    public static string NewChallenge() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static string Answer(string secret, string challenge) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Convert.FromBase64String(challenge)));

    public static bool Check(string secret, string challenge, string answer) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Answer(secret, challenge)), Encoding.ASCII.GetBytes(answer));
}

public sealed class CommandHostUnreachableException(string message) : Exception(message);
