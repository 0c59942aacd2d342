namespace GainCal.Storage;

/// <summary>
/// The storage a pipeline uses: XRootD for <c>root://</c> URLs, the file system for everything else.
/// It is the one place that decides what a location string means.
/// </summary>
public sealed class StorageByLocation(XRootDOptions? xrootd = null) : IStorage
{
    private readonly XRootDStorage _xrootd = new(xrootd);

    public static StorageByLocation Default { get; } = new();

    /// <summary>True for an XRootD URL, false for a path.</summary>
    public static bool IsRemote(string location) => XRootDUrl.IsXRootD(location);

    /// <summary>The child <paramref name="name"/> of a directory location, as a path or a URL.</summary>
    public static string Combine(string directory, string name) =>
        IsRemote(directory) ? XRootDUrl.Parse(directory).Combine(name).ToString() : Path.Combine(directory, name);

    /// <summary>The directory holding a location, as a path or a URL.</summary>
    public static string DirectoryOf(string location)
    {
        if (!IsRemote(location)) return Path.GetDirectoryName(Path.GetFullPath(location))!;
        var url = XRootDUrl.Parse(location);
        return url.WithPath(url.Path[..Math.Max(1, url.Path.LastIndexOf('/'))]).ToString();
    }

    /// <summary>The file name at the end of a location.</summary>
    public static string NameOf(string location) =>
        IsRemote(location) ? XRootDUrl.Parse(location).Name : Path.GetFileName(location);

    /// <summary>Null when the location is usable, otherwise why not (for option validation).</summary>
    public static string? Problem(string location) =>
        IsRemote(location)
            ? XRootDUrl.TryParse(location, out _, out var problem) ? null : $"{location}: {problem}"
            : location.Contains("://", StringComparison.Ordinal)
                ? $"{location}: not an XRootD URL (expected root://host[:port]//path)"
                : null;

    public IStorage For(string location) => IsRemote(location) ? _xrootd : LocalStorage.Instance;

    public Stream OpenRead(string location) => For(location).OpenRead(location);

    public IReadOnlyList<StorageEntry> List(string directory) => For(directory).List(directory);

    public StorageEntry? Stat(string location) => For(location).Stat(location);

    public AtomicWrite BeginWrite(string location) => For(location).BeginWrite(location);

    /// <summary>Copies every file under a local directory to the same relative names under <paramref name="location"/>,
    /// each atomically (a report that is written locally, e.g. a PDF and its plots, then published to the output
    /// location); returns the locations written, in name order.</summary>
    public IReadOnlyList<string> CopyDirectory(string localDirectory, string location)
    {
        var written = new List<string>();
        foreach (var file in Directory.EnumerateFiles(localDirectory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var target = Path.GetRelativePath(localDirectory, file).Split(Path.DirectorySeparatorChar).Aggregate(location, Combine);
            using (var write = BeginWrite(target))
            {
                using (var source = File.OpenRead(file)) source.CopyTo(write.Stream);
                write.Commit();
            }
            written.Add(target);
        }
        return written;
    }
}
