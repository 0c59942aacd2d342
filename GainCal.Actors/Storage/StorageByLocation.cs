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
}
