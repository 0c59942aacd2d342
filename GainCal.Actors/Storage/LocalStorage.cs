namespace GainCal.Storage;

/// <summary>Files on a local or shared (NFS, CephFS, EOS fuse) file system, addressed by path.</summary>
public sealed class LocalStorage : IStorage
{
    public static LocalStorage Instance { get; } = new();

    public Stream OpenRead(string location) =>
        Guard(location, () => new FileStream(location, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan));

    public IReadOnlyList<StorageEntry> List(string directory) =>
        Guard(directory, () => new DirectoryInfo(directory).EnumerateFileSystemInfos()
            .Select(Entry).OrderBy(e => e.Name, StringComparer.Ordinal).ToList());

    public StorageEntry? Stat(string location)
    {
        if (File.Exists(location)) return Entry(new FileInfo(location));
        return Directory.Exists(location) ? Entry(new DirectoryInfo(location)) : null;
    }

    public AtomicWrite BeginWrite(string location)
    {
        var full = Path.GetFullPath(location);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, AtomicWrite.TemporaryName(Path.GetFileName(full)));
        return Guard(location, () =>
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            return new LocalAtomicWrite(full, temp);
        });
    }

    private static StorageEntry Entry(FileSystemInfo info) =>
        new(info.Name, info.FullName, info is FileInfo f ? f.Length : 0, info is DirectoryInfo, info.LastWriteTimeUtc);

    private static T Guard<T>(string location, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new StorageException(location, StorageFailure.NotFound, "no such file or directory", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new StorageException(location, StorageFailure.PermissionDenied, "permission denied", e);
        }
        catch (IOException e) when (e is not StorageException)
        {
            throw new StorageException(location, StorageFailure.Other, e.Message, e);
        }
    }

    private sealed class LocalAtomicWrite : AtomicWrite
    {
        private readonly FileStream _stream;

        public LocalAtomicWrite(string location, string temp)
            : base(location, temp) =>
            _stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);

        public override Stream Stream => _stream;

        public override void Commit()
        {
            if (Committed) return;
            Guard(Location, () =>
            {
                _stream.Flush(flushToDisk: true);
                _stream.Dispose();
                File.Move(TemporaryLocation, Location, overwrite: true);
                return true;
            });
            Committed = true;
        }

        protected override void Dispose(bool disposing)
        {
            if (!disposing) return;
            _stream.Dispose();
            if (!Committed) File.Delete(TemporaryLocation);
        }
    }
}
