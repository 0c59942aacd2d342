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
        private readonly EarlyWriteback _writeback;

        public LocalAtomicWrite(string location, string temp)
            : base(location, temp)
        {
            _stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
            _writeback = new EarlyWriteback(_stream);
        }

        public override Stream Stream => _writeback;

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

/// <summary>
/// Passes writes to a file and, every <see cref="Step"/> bytes on Linux, asks the kernel to start writing the part
/// written so far to disk (sync_file_range, SYNC_FILE_RANGE_WRITE: it does not wait), so that the fsync of the commit
/// finds most of a large table on disk already instead of writing all of it then.
/// </summary>
internal sealed class EarlyWriteback(FileStream file) : Stream
{
    private const long Step = 8 << 20;
    private const uint SyncFileRangeWrite = 2;
    private long _started;
    private bool _unsupported = !OperatingSystem.IsLinux();

    public override bool CanRead => false;
    public override bool CanSeek => file.CanSeek;
    public override bool CanWrite => true;
    public override long Length => file.Length;

    public override long Position
    {
        get => file.Position;
        set => file.Position = value;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        file.Write(buffer);
        StartWriteback();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await file.WriteAsync(buffer, cancellationToken);
        StartWriteback();
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void WriteByte(byte value)
    {
        file.WriteByte(value);
        StartWriteback();
    }

    private void StartWriteback()
    {
        if (_unsupported || file.Position - _started < Step) return;
        file.Flush();
        var end = file.Position;
        // A file system without it (or an old kernel) only loses the head start; the commit's fsync is what counts.
        if (SyncFileRange(file.SafeFileHandle, _started, end - _started, SyncFileRangeWrite) != 0) _unsupported = true;
        _started = end;
    }

    public override void Flush() => file.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => file.FlushAsync(cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => file.Seek(offset, origin);
    public override void SetLength(long value) => file.SetLength(value);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static extern int SyncFileRange(Microsoft.Win32.SafeHandles.SafeFileHandle fd, long offset, long bytes, uint flags);
}

