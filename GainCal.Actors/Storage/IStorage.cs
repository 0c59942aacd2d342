namespace GainCal.Storage;

/// <summary>
/// Where a pipeline's bytes come from and go (DESIGN.md section 9): dumps are read as streams, run directories
/// listed, and every product written atomically. A location is a local (or shared) path or an XRootD URL;
/// <see cref="StorageByLocation"/> picks the implementation from the location itself. All failures are
/// <see cref="StorageException"/>s whose message starts with the location.
/// </summary>
public interface IStorage
{
    /// <summary>A sequential (and seekable) read stream over the whole file; the caller disposes it.</summary>
    Stream OpenRead(string location);

    /// <summary>The entries of a directory, ordered by name (ordinal).</summary>
    IReadOnlyList<StorageEntry> List(string directory);

    /// <summary>The entry for a file or directory, or null when there is none.</summary>
    StorageEntry? Stat(string location);

    /// <summary>Starts writing <paramref name="location"/> under a temporary name in the same directory (created
    /// when missing); <see cref="AtomicWrite.Commit"/> renames it into place, so a reader sees either the old
    /// file or the complete new one. Disposing without committing removes the temporary file.</summary>
    AtomicWrite BeginWrite(string location);
}

/// <summary>A file or directory in a listing. <paramref name="Location"/> is the full path or URL of the entry.</summary>
public sealed record StorageEntry(string Name, string Location, long Size, bool IsDirectory, DateTimeOffset Modified);

/// <summary>An atomic write in progress (see <see cref="IStorage.BeginWrite"/>).</summary>
public abstract class AtomicWrite : IDisposable
{
    protected AtomicWrite(string location, string temporaryLocation)
    {
        Location = location;
        TemporaryLocation = temporaryLocation;
    }

    /// <summary>The final location.</summary>
    public string Location { get; }

    /// <summary>Where the bytes go until <see cref="Commit"/>.</summary>
    public string TemporaryLocation { get; }

    /// <summary>Write the content here. Not seekable; <see cref="Stream.Position"/> counts the bytes written.</summary>
    public abstract Stream Stream { get; }

    public bool Committed { get; protected set; }

    /// <summary>Flushes, closes and renames the temporary file to <see cref="Location"/> (replacing an older file).</summary>
    public abstract void Commit();

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the temporary file when the write was not committed.</summary>
    protected abstract void Dispose(bool disposing);

    /// <summary>"name.tmp-1a2b3c4d": next to the final file, so the rename stays within one directory.</summary>
    internal static string TemporaryName(string name) => $"{name}.tmp-{Guid.NewGuid().ToString("N")[..8]}";
}
