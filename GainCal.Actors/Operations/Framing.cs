using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using MessagePack;

namespace GainCal.Operations;

public enum FrameKind : byte
{
    Command = 0,   // client -> host: one command line
    Out = 1,       // host -> client: a line for standard output
    Err = 2,       // host -> client: a line for standard error
    Exit = 3,      // host -> client: the command ended with Code
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
    public static (string Host, int Port) ParseEndpoint(string endpoint)
    {
        var i = endpoint.LastIndexOf(':');
        if (i <= 0 || !int.TryParse(endpoint[(i + 1)..], out var port) || port is <= 0 or > 65535)
            throw new FormatException($"--node {endpoint}: expected HOST:PORT, e.g. 127.0.0.1:9110");
        return (endpoint[..i], port);
    }

    /// <summary>Runs the command on the node and returns its exit code; lines are handed over as they arrive.
    /// Throws CommandHostUnreachableException when the node cannot be reached or drops the connection.</summary>
    public static async Task<int> RunAsync(string endpoint, string commandLine, Action<string> stdout, Action<string> stderr,
        CancellationToken ct = default)
    {
        var (host, port) = ParseEndpoint(endpoint);
        using var client = new TcpClient { NoDelay = true };
        try
        {
            using var connect = CancellationTokenSource.CreateLinkedTokenSource(ct);
            connect.CancelAfter(TimeSpan.FromSeconds(5));
            await client.ConnectAsync(host, port, connect.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            throw new CommandHostUnreachableException($"cannot reach node {endpoint}: {(e is SocketException se ? se.Message : "connect timed out")}");
        }
        var stream = client.GetStream();
        try
        {
            await Framing.WriteAsync(stream, HostFrame.Command(commandLine), ct);
            while (await Framing.ReadAsync(stream, ct) is { } frame)
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
            throw new CommandHostUnreachableException($"node {endpoint} dropped the connection: {e.Message}");
        }
        throw new CommandHostUnreachableException($"node {endpoint} closed the connection before the command ended");
    }
}

public sealed class CommandHostUnreachableException(string message) : Exception(message);
