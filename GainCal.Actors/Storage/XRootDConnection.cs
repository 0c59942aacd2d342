using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace GainCal.Storage;

/// <summary>The server answered a request with kXR_error.</summary>
internal sealed class XRootDServerError(int code, string message) : Exception(message)
{
    public int Code { get; } = code;
}

/// <summary>The server asked to send a request again after some seconds (kXR_wait) while reads were in flight:
/// the read stream reconnects after that wait, like after a lost connection.</summary>
internal sealed class XRootDWait(string server, int seconds) : IOException($"{server}: the server asked to wait {seconds} s")
{
    public int Seconds { get; } = seconds;
}

/// <summary>The server sent the client elsewhere (kXR_redirect): a redirector such as EOS's MGM.</summary>
internal sealed class XRootDRedirect(string host, int port) : Exception($"redirected to {host}:{port}")
{
    public string Host { get; } = host;

    public int Port { get; } = port;
}

/// <summary>
/// One logged-in TCP connection to an XRootD server, one request at a time except pipelined reads (XRootD protocol 5, the subset in
/// docs/storage.md: handshake, kXR_protocol, kXR_login, then file requests). Requests are 24-byte headers in
/// network byte order (stream id, request code, 16 bytes of parameters, payload length) plus a payload;
/// responses are 8-byte headers (stream id, status, length) plus a body, possibly in several kXR_oksofar
/// parts. Socket failures surface as <see cref="IOException"/>/<see cref="SocketException"/>; the caller
/// decides whether to reconnect.
/// </summary>
internal sealed class XRootDConnection : IDisposable
{
    // Request codes (XProtocol.hh, XRequestTypes).
    public const ushort Close = 3003, Dirlist = 3004, Protocol = 3006, Login = 3007, Mv = 3009,
        Open = 3010, Read = 3013, Rm = 3014, Stat = 3017, Write = 3019;

    // Response status codes (XResponseType).
    private const ushort Ok = 0, OkSoFar = 4000, Attn = 4001, Error = 4003, Redirect = 4004, Wait = 4005;

    private const int ProtocolVersion = 0x00000500;
    private const byte LoginCapabilityVersion = 5;   // kXR_ver005
    private const int MaxWaits = 30;

    private readonly Socket _socket;
    private readonly byte[] _header = new byte[24];
    private readonly byte[] _responseHeader = new byte[8];
    private ushort _streamId;

    private XRootDConnection(Socket socket) => _socket = socket;

    public string Server { get; private init; } = "";

    /// <summary>Connects, handshakes and logs in. Throws <see cref="SocketException"/> when nobody answers.</summary>
    public static XRootDConnection Connect(string host, int port, XRootDOptions options)
    {
        var socket = ConnectAny(host, port, options.ConnectTimeout);
        try
        {
            var ms = (int)Math.Min(int.MaxValue, options.IoTimeout.TotalMilliseconds);
            socket.ReceiveTimeout = ms;
            socket.SendTimeout = ms;
            var connection = new XRootDConnection(socket) { Server = $"{host}:{port}" };
            connection.Handshake();
            return connection;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The first of the host's addresses that accepts (a name may resolve to an IPv6 address the server does not
    /// listen on before its IPv4 one); the last address's error when none does.</summary>
    private static Socket ConnectAny(string host, int port, TimeSpan timeout)
    {
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : Dns.GetHostAddresses(host);
        if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
        for (var i = 0; ; i++)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                ConnectWithin(socket, addresses[i], port, timeout);
                return socket;
            }
            catch (SocketException) when (i + 1 < addresses.Length)
            {
                socket.Dispose();
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    /// <summary>A connect bounded by <paramref name="timeout"/> that leaves the socket in plain blocking mode. An
    /// async connect would do the bound too, but .NET then keeps the socket non-blocking for good and runs every
    /// later synchronous receive through its event loop, a thread hop per receive: raw reads took 1.1-1.2 s
    /// instead of 0.7 s for 925 MB on a busy two-core machine (docs/storage.md).</summary>
    private static void ConnectWithin(Socket socket, IPAddress address, int port, TimeSpan timeout)
    {
        socket.Blocking = false;
        try
        {
            socket.Connect(address, port);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            if (!socket.Poll(timeout, SelectMode.SelectWrite)) throw new SocketException((int)SocketError.TimedOut);
            var error = (SocketError)(int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
            if (error != SocketError.Success) throw new SocketException((int)error);
        }
        socket.Blocking = true;
    }

    private void Handshake()
    {
        // The 20-byte initial handshake (0, 0, 0, 4, 2012), followed at once by kXR_protocol.
        Span<byte> first = stackalloc byte[20 + 24];
        first.Clear();
        BinaryPrimitives.WriteInt32BigEndian(first[12..], 4);
        BinaryPrimitives.WriteInt32BigEndian(first[16..], 2012);
        var protocol = first[20..];
        BinaryPrimitives.WriteUInt16BigEndian(protocol, ++_streamId);
        BinaryPrimitives.WriteUInt16BigEndian(protocol[2..], Protocol);
        BinaryPrimitives.WriteInt32BigEndian(protocol[4..], ProtocolVersion);
        SendAll(first);

        // Handshake answer: header with stream id 0, status 0, length 8, then protocol version and server kind.
        ReceiveAll(_responseHeader);
        var length = BinaryPrimitives.ReadInt32BigEndian(_responseHeader.AsSpan(4));
        if (BinaryPrimitives.ReadUInt16BigEndian(_responseHeader.AsSpan(2)) != Ok || length is < 0 or > 64)
            throw new IOException($"{Server}: not an XRootD server (bad handshake answer)");
        ReceiveAll(new byte[length]);
        ReceiveResponse(_streamId, new MemoryStream());

        // kXR_login: pid, 8-byte user name, ability, capability version; no authentication (see docs/storage.md).
        Span<byte> login = stackalloc byte[16];
        login.Clear();
        BinaryPrimitives.WriteInt32BigEndian(login, Environment.ProcessId);
        var user = Encoding.ASCII.GetBytes(Environment.UserName.Length > 8 ? Environment.UserName[..8] : Environment.UserName);
        user.CopyTo(login[4..12]);
        login[14] = LoginCapabilityVersion;
        var answer = Call(Login, login, default);
        if (answer.Length > 16 && answer.AsSpan(16).IndexOfAnyExcept((byte)0) >= 0)
            throw new XRootDServerError(0, "the server requires authentication (" + Encoding.ASCII.GetString(answer, 16, answer.Length - 16).Trim('\0') + "), which GainCal does not implement");
    }

    /// <summary>Sends a request and returns the whole response body (all kXR_oksofar parts).</summary>
    public byte[] Call(ushort request, ReadOnlySpan<byte> parameters, ReadOnlySpan<byte> payload)
    {
        for (var waits = 0; ; waits++)
        {
            Send(request, parameters, payload);
            var body = new MemoryStream();
            var wait = ReceiveResponse(_streamId, body);
            if (wait < 0) return body.ToArray();
            if (waits >= MaxWaits) throw new XRootDServerError(0, $"the server asked to wait {MaxWaits} times");
            Thread.Sleep(TimeSpan.FromSeconds(Math.Clamp(wait, 1, 10)));
        }
    }

    /// <summary>Sends a kXR_read of <paramref name="length"/> bytes at <paramref name="offset"/> without waiting
    /// for its answer, so that several can be in flight (pipelining); returns the request's stream id, which its
    /// answer parts carry (<see cref="ReceiveDataHeader"/>).</summary>
    public ushort SendRead(ReadOnlySpan<byte> handle, long offset, int length)
    {
        Span<byte> p = stackalloc byte[16];
        handle.CopyTo(p);
        BinaryPrimitives.WriteInt64BigEndian(p[4..], offset);
        BinaryPrimitives.WriteInt32BigEndian(p[12..], length);
        return Send(Read, p, default);
    }

    /// <summary>Reads response headers until one announces data (kXR_ok or kXR_oksofar) and returns its stream id,
    /// whether it is the request's last part, and how many bytes follow (to be taken with <see cref="ReceiveSome"/>).
    /// Notices are skipped; a refusal throws <see cref="XRootDServerError"/>, a request to wait
    /// <see cref="XRootDWait"/>.</summary>
    public (ushort StreamId, bool Final, int Length) ReceiveDataHeader()
    {
        while (true)
        {
            var (sid, status, length) = ReceiveHeader();
            if (status is Ok or OkSoFar) return (sid, status == Ok, length);
            if (NotData(status, length) is { } wait) throw new XRootDWait(Server, wait);
        }
    }

    /// <summary>One socket receive of up to <paramref name="into"/>.Length bytes straight into the caller's memory.</summary>
    public int ReceiveSome(Span<byte> into)
    {
        var n = _socket.Receive(into);
        if (n == 0) throw new IOException($"{Server}: the server closed the connection");
        return n;
    }

    private ushort Send(ushort request, ReadOnlySpan<byte> parameters, ReadOnlySpan<byte> payload)
    {
        unchecked { _streamId++; }
        if (_streamId == 0) _streamId = 1;
        var h = _header.AsSpan();
        h.Clear();
        BinaryPrimitives.WriteUInt16BigEndian(h, _streamId);
        BinaryPrimitives.WriteUInt16BigEndian(h[2..], request);
        parameters.CopyTo(h[4..20]);
        BinaryPrimitives.WriteInt32BigEndian(h[20..], payload.Length);
        SendAll(h);
        if (!payload.IsEmpty) SendAll(payload);
        return _streamId;
    }

    /// <summary>Reads response parts until the final one into <paramref name="body"/>. Returns -1 when done, or
    /// the seconds to wait before sending again.</summary>
    private int ReceiveResponse(ushort streamId, MemoryStream body)
    {
        while (true)
        {
            var (sid, status, length) = ReceiveHeader();
            if (status is Ok or OkSoFar && sid == streamId)
            {
                var part = new byte[length];
                ReceiveAll(part);
                body.Write(part);
                if (status == Ok) return -1;
                continue;
            }
            if (status is not Attn && sid != streamId) throw new IOException($"{Server}: answer for another request (stream {sid}, expected {streamId})");
            if (NotData(status, length) is { } wait) return wait;
        }
    }

    private (ushort StreamId, ushort Status, int Length) ReceiveHeader()
    {
        ReceiveAll(_responseHeader);
        var length = BinaryPrimitives.ReadInt32BigEndian(_responseHeader.AsSpan(4));
        if (length < 0) throw new IOException($"{Server}: negative response length");
        return (BinaryPrimitives.ReadUInt16BigEndian(_responseHeader), BinaryPrimitives.ReadUInt16BigEndian(_responseHeader.AsSpan(2)), length);
    }

    /// <summary>Takes the body of an answer that carries no data: null for a notice (the real answer follows),
    /// the seconds to wait for kXR_wait; throws for a refusal, a redirect or an answer GainCal does not speak.</summary>
    private int? NotData(ushort status, int length)
    {
        var small = new byte[length];
        ReceiveAll(small);
        switch (status)
        {
            case Attn:
                return null;   // unsolicited notice
            case Error:
                var code = length >= 4 ? BinaryPrimitives.ReadInt32BigEndian(small) : 0;
                throw new XRootDServerError(code, length > 4 ? Encoding.UTF8.GetString(small, 4, length - 4).TrimEnd('\0', '\n') : "error without a message");
            case Wait:
                return length >= 4 ? BinaryPrimitives.ReadInt32BigEndian(small) : 1;
            case Redirect:
                var port = length >= 4 ? BinaryPrimitives.ReadInt32BigEndian(small) : 0;
                var host = length > 4 ? Encoding.ASCII.GetString(small, 4, length - 4).TrimEnd('\0') : "";
                var cgi = host.IndexOf('?');
                throw new XRootDRedirect(cgi >= 0 ? host[..cgi] : host, port);
            default:
                throw new XRootDServerError(0, $"unsupported server answer {status}");
        }
    }

    private void SendAll(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty) bytes = bytes[_socket.Send(bytes)..];
    }

    private void ReceiveAll(Span<byte> into)
    {
        while (!into.IsEmpty)
        {
            var n = _socket.Receive(into);
            if (n == 0) throw new IOException($"{Server}: the server closed the connection");
            into = into[n..];
        }
    }

    public void Dispose() => _socket.Dispose();
}
