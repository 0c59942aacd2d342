using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace GainCal.Storage;

/// <summary>An open remote file: the connection it was opened on and the server's handle.</summary>
internal sealed record XRootDOpenFile(XRootDConnection Connection, byte[] Handle, long Size) : IDisposable
{
    /// <summary>Closes the handle when the connection still works; always drops the connection.</summary>
    public void Dispose()
    {
        try
        {
            Span<byte> p = stackalloc byte[16];
            p.Clear();
            Handle.CopyTo(p);
            Connection.Call(XRootDConnection.Close, p, default);
        }
        catch (Exception e) when (e is IOException or SocketException or XRootDServerError or ObjectDisposedException)
        {
            // The server forgets the handle with the connection.
        }
        Connection.Dispose();
    }
}

/// <summary>
/// XRootD requests by URL, each on its own short connection (listing and stat are rare; a read stream keeps
/// the connection it opened). Follows redirects (a redirector such as EOS's MGM) up to a few hops, and turns
/// every failure into a <see cref="StorageException"/> naming the URL.
/// </summary>
internal static class XRootDClient
{
    // kXR_open options and modes (XProtocol.hh).
    private const ushort OpenRead = 16, OpenNew = 8, OpenDelete = 2, OpenMkpath = 256, OpenRetstat = 1024;
    private const ushort Mode644 = 0x100 | 0x080 | 0x020 | 0x004;
    private const byte DirlistStat = 2;
    private const int StatIsDirectory = 2;
    private const int MaxRedirects = 4;

    // Error codes (XErrorCode).
    private const int NotAuthorized = 3010, NotFound = 3011;

    public static XRootDOpenFile OpenForRead(XRootDUrl url, XRootDOptions options) =>
        Run(url, options, keepConnection: true, c => OpenOn(c, url.Path, OpenRead | OpenRetstat, 0));

    public static XRootDOpenFile Create(XRootDUrl url, XRootDOptions options) =>
        Run(url, options, keepConnection: true, c => OpenOn(c, url.Path, OpenNew | OpenDelete | OpenMkpath | OpenRetstat, Mode644));

    private static XRootDOpenFile OpenOn(XRootDConnection c, string path, ushort options, ushort mode)
    {
        Span<byte> p = stackalloc byte[16];
        p.Clear();
        BinaryPrimitives.WriteUInt16BigEndian(p, mode);
        BinaryPrimitives.WriteUInt16BigEndian(p[2..], options);
        var body = c.Call(XRootDConnection.Open, p, Encoding.UTF8.GetBytes(path));
        if (body.Length < 4) throw new IOException($"{c.Server}: open answered without a file handle");
        // With kXR_retstat the handle is followed by compression info (8 bytes) and the stat text.
        var size = body.Length > 12 ? ParseStat(Encoding.ASCII.GetString(body, 12, body.Length - 12)).Size : -1;
        return new XRootDOpenFile(c, body[..4], size);
    }

    public static StorageEntry? Stat(XRootDUrl url, XRootDOptions options)
    {
        try
        {
            return Run(url, options, keepConnection: false, c =>
            {
                var (size, flags, modified) = ParseStat(Encoding.ASCII.GetString(c.Call(XRootDConnection.Stat, new byte[16], Encoding.UTF8.GetBytes(url.Path))));
                return new StorageEntry(url.Name, url.ToString(), size, (flags & StatIsDirectory) != 0, modified);
            });
        }
        catch (StorageException e) when (e.Failure == StorageFailure.NotFound)
        {
            return null;
        }
    }

    public static IReadOnlyList<StorageEntry> List(XRootDUrl url, XRootDOptions options) =>
        Run(url, options, keepConnection: false, c =>
        {
            Span<byte> p = stackalloc byte[16];
            p.Clear();
            p[15] = DirlistStat;
            var text = Encoding.UTF8.GetString(c.Call(XRootDConnection.Dirlist, p, Encoding.UTF8.GetBytes(url.Path)));
            return ParseListing(url, text);
        });

    public static void Move(XRootDConnection c, string from, string to)
    {
        Span<byte> p = stackalloc byte[16];
        p.Clear();
        var source = Encoding.UTF8.GetBytes(from);
        BinaryPrimitives.WriteInt16BigEndian(p[14..], (short)source.Length);
        c.Call(XRootDConnection.Mv, p, Encoding.UTF8.GetBytes(from + " " + to));
    }

    public static void Remove(XRootDConnection c, string path) =>
        c.Call(XRootDConnection.Rm, new byte[16], Encoding.UTF8.GetBytes(path));

    public static void Write(XRootDOpenFile file, long offset, ReadOnlySpan<byte> data)
    {
        Span<byte> p = stackalloc byte[16];
        p.Clear();
        file.Handle.CopyTo(p);
        BinaryPrimitives.WriteInt64BigEndian(p[4..], offset);
        file.Connection.Call(XRootDConnection.Write, p, data);
    }

    /// <summary>Connects to the URL's server (following redirects) and runs <paramref name="request"/>. With
    /// <paramref name="keepConnection"/> the connection is handed over inside the result; otherwise closed.</summary>
    public static T Run<T>(XRootDUrl url, XRootDOptions options, bool keepConnection, Func<XRootDConnection, T> request)
    {
        var host = url.Host;
        var port = url.Port;
        for (var hop = 0; ; hop++)
        {
            XRootDConnection c;
            try
            {
                c = XRootDConnection.Connect(host, port, options);
            }
            catch (Exception e) when (IsConnectionProblem(e))
            {
                throw Unreachable(url, host, port, e);
            }
            var keep = false;
            try
            {
                var result = request(c);
                keep = keepConnection;
                return result;
            }
            catch (XRootDRedirect r) when (hop < MaxRedirects)
            {
                host = r.Host;
                port = r.Port;
            }
            catch (Exception e) when (e is XRootDServerError or XRootDRedirect || IsConnectionProblem(e))
            {
                throw Failure(url.ToString(), e, midTransfer: false);
            }
            finally
            {
                if (!keep) c.Dispose();
            }
        }
    }

    public static bool IsConnectionProblem(Exception e) => e is SocketException or IOException and not StorageException;

    public static StorageException Unreachable(XRootDUrl url, string host, int port, Exception e)
    {
        var why = e is SocketException s ? s.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.TimedOut => "no answer",
            SocketError.HostNotFound or SocketError.NoData => "unknown host",
            SocketError.HostUnreachable or SocketError.NetworkUnreachable => "host unreachable",
            _ => s.Message,
        } : e.Message;
        return new StorageException(url.ToString(), StorageFailure.ServerUnreachable, $"no XRootD server answers at {host}:{port} ({why})", e);
    }

    /// <summary>A server's refusal or a broken connection, as a one-line error naming the location.</summary>
    public static StorageException Failure(string location, Exception e, bool midTransfer) => e switch
    {
        StorageException s => s,
        XRootDServerError { Code: NotFound } x => new(location, StorageFailure.NotFound, $"no such file or directory (server: {x.Message})", e),
        XRootDServerError { Code: NotAuthorized } x => new(location, StorageFailure.PermissionDenied, $"permission denied (server: {x.Message})", e),
        XRootDServerError x => new(location, StorageFailure.Other, x.Code == 0 ? x.Message : $"server error {x.Code}: {x.Message}", e),
        XRootDRedirect r => new(location, StorageFailure.Other, $"too many redirects (last to {r.Host}:{r.Port})", e),
        _ => new(location, StorageFailure.ConnectionLost, $"connection lost{(midTransfer ? " mid-transfer" : "")}: {e.Message}", e),
    };

    /// <summary>A stat answer: "id size flags modtime".</summary>
    internal static (long Size, int Flags, DateTimeOffset Modified) ParseStat(string text)
    {
        var f = text.Trim('\0', ' ', '\n').Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length < 4
            || !long.TryParse(f[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var size)
            || !int.TryParse(f[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var flags)
            || !long.TryParse(f[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var mtime))
            throw new XRootDServerError(0, $"unreadable stat answer '{text.Trim('\0')}'");
        return (size, flags, DateTimeOffset.FromUnixTimeSeconds(mtime));
    }

    /// <summary>A kXR_dstat listing: ".\n0 0 0 0\n" then a name line and a stat line per entry (the last one
    /// ends with a NUL). A server that ignores kXR_dstat sends names only; then sizes are unknown (-1).</summary>
    internal static IReadOnlyList<StorageEntry> ParseListing(XRootDUrl dir, string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\0')).Where(l => l.Length > 0).ToList();
        var entries = new List<StorageEntry>();
        var withStat = lines.Count >= 2 && lines[0] == "." && lines[1] == "0 0 0 0";
        if (withStat)
        {
            for (var i = 2; i + 1 < lines.Count; i += 2)
            {
                var (size, flags, modified) = ParseStat(lines[i + 1]);
                entries.Add(new StorageEntry(lines[i], dir.Combine(lines[i]).ToString(), size, (flags & StatIsDirectory) != 0, modified));
            }
        }
        else
        {
            entries.AddRange(lines.Where(n => n is not "." and not "..")
                .Select(n => new StorageEntry(n, dir.Combine(n).ToString(), -1, false, DateTimeOffset.MinValue)));
        }
        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return entries;
    }
}
