using System.Globalization;

namespace GainCal.Storage;

/// <summary>
/// A file or directory on an XRootD server, <c>root://host[:port]//path</c> (the double slash makes the path
/// absolute, as in CMS's <c>root://eosuser.cern.ch//eos/cms/...</c>). Opaque CGI (<c>?...</c>) and user names
/// (<c>user@host</c>) are refused: GainCal reads unauthenticated servers and says so rather than ignore them.
/// </summary>
public sealed record XRootDUrl
{
    public const int DefaultPort = 1094;

    private XRootDUrl(string host, int port, string path)
    {
        Host = host;
        Port = port;
        Path = path;
    }

    public string Host { get; }

    public int Port { get; }

    /// <summary>Absolute path on the server, starting with one '/', without a trailing '/'.</summary>
    public string Path { get; }

    /// <summary>The last path element (the file name).</summary>
    public string Name => Path[(Path.LastIndexOf('/') + 1)..];

    /// <summary>True when the text is meant as an XRootD URL (scheme root:// or xroot://), valid or not.</summary>
    public static bool IsXRootD(string location) =>
        location.StartsWith("root://", StringComparison.OrdinalIgnoreCase)
        || location.StartsWith("xroot://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses <c>root://host[:port]//path</c>; throws <see cref="FormatException"/> whose message names the URL and the problem.</summary>
    public static XRootDUrl Parse(string url) =>
        TryParse(url, out var parsed, out var problem) ? parsed : throw new FormatException($"{url}: {problem}");

    public static bool TryParse(string url, out XRootDUrl parsed, out string problem)
    {
        parsed = null!;
        problem = "";
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0 || !IsXRootD(url))
        {
            problem = "not an XRootD URL (expected root://host[:port]//path)";
            return false;
        }
        var rest = url[(schemeEnd + 3)..];
        var slash = rest.IndexOf('/');
        if (slash < 0 || slash + 1 >= rest.Length || rest[slash + 1] != '/')
        {
            problem = "the path must follow the host with a double slash, as in root://host:1094//store/run";
            return false;
        }
        var authority = rest[..slash];
        var path = rest[(slash + 1)..];
        if (authority.Contains('@'))
        {
            problem = "user names in the URL are not supported (GainCal reads servers without authentication)";
            return false;
        }
        if (path.IndexOfAny(['?', '#']) >= 0)
        {
            problem = "options after '?' are not supported";
            return false;
        }
        if (path.Contains(' ') || path.Contains('\n') || path.Contains('\0'))
        {
            problem = "the path contains a space or control character";
            return false;
        }
        var host = authority;
        var port = DefaultPort;
        var colon = authority.LastIndexOf(':');
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            if (close < 0) { problem = "unclosed '[' in an IPv6 host"; return false; }
            host = authority[1..close];
            colon = authority.Length > close + 1 && authority[close + 1] == ':' ? close + 1 : -1;
        }
        else if (colon >= 0)
        {
            host = authority[..colon];
        }
        if (colon >= 0 && (!int.TryParse(authority[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            problem = $"bad port '{authority[(colon + 1)..]}'";
            return false;
        }
        if (host.Length == 0)
        {
            problem = "no host";
            return false;
        }
        // Collapse repeated slashes and drop a trailing one: //eos//a/ and /eos/a are the same file.
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Any(p => p is "." or ".."))
        {
            problem = "'.' and '..' are not allowed in the path";
            return false;
        }
        parsed = new XRootDUrl(host, port, "/" + string.Join('/', parts));
        return true;
    }

    /// <summary>The child <paramref name="name"/> of this directory.</summary>
    public XRootDUrl Combine(string name)
    {
        if (name.Length == 0 || name.Contains('/') || name is "." or ".." || name.IndexOfAny([' ', '?', '#', '\n', '\0']) >= 0)
            throw new ArgumentException($"{this}: '{name}' is not a plain file name", nameof(name));
        return new XRootDUrl(Host, Port, Path == "/" ? "/" + name : Path + "/" + name);
    }

    /// <summary>Same server, another absolute path.</summary>
    internal XRootDUrl WithPath(string path) => new(Host, Port, path);

    /// <summary>The server part, <c>host:port</c>.</summary>
    public string Server => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    public override string ToString() => $"root://{Server}/{Path}";
}
