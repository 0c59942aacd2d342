using System.Diagnostics;

namespace GainCal.Storage;

/// <summary>
/// Reads a file on an XRootD server without copying it locally: two buffers of
/// <see cref="XRootDOptions.ChunkBytes"/>, one being consumed while the next arrives (kXR_read on a thread-pool
/// thread), so memory stays bounded whatever the file size and the network overlaps the decoder.
/// When the connection breaks (server killed, restarted, network cut) the stream reconnects, reopens the file
/// and re-reads from the first byte it had not received, for up to <see cref="XRootDOptions.ResumeWindow"/>;
/// a file whose size changed meanwhile fails with <see cref="StorageFailure.Changed"/> instead of mixing
/// bytes of two files. Seekable (the Parquet reader seeks to the footer); not thread-safe, like FileStream.
/// </summary>
public sealed class XRootDReadStream : Stream
{
    private readonly XRootDUrl _url;
    private readonly XRootDOptions _options;
    private XRootDOpenFile? _file;
    private byte[] _current;
    private byte[] _spare;
    private long _currentStart;
    private int _currentCount;
    private Task<int>? _prefetch;
    private long _prefetchStart;
    private long _position;
    private bool _disposed;

    private XRootDReadStream(XRootDUrl url, XRootDOptions options, XRootDOpenFile file)
    {
        _url = url;
        _options = options;
        _file = file;
        Length = file.Size;
        _current = new byte[options.ChunkBytes];
        _spare = new byte[options.ChunkBytes];
    }

    /// <summary>Opens the file (one attempt: a missing file or a down server fails at once, naming the URL).</summary>
    public static XRootDReadStream Open(XRootDUrl url, XRootDOptions? options = null)
    {
        options ??= XRootDOptions.Default;
        if (options.ChunkBytes is < 4096 or > 64 << 20) throw new ArgumentOutOfRangeException(nameof(options), options.ChunkBytes, "chunk size must be 4 KiB to 64 MiB");
        var file = XRootDClient.OpenForRead(url, options);
        if (file.Size < 0)
        {
            file.Dispose();
            throw new StorageException(url.ToString(), StorageFailure.Other, "the server did not say the file's size");
        }
        return new XRootDReadStream(url, options, file);
    }

    public XRootDUrl Url => _url;

    /// <summary>How many times the stream reconnected and resumed after a lost connection.</summary>
    public int Resumes { get; private set; }

    public override long Length { get; }

    public override bool CanRead => !_disposed;

    public override bool CanSeek => !_disposed;

    public override bool CanWrite => false;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty || _position >= Length) return 0;
        if (_position < _currentStart || _position >= _currentStart + _currentCount) Refill();
        var from = (int)(_position - _currentStart);
        var n = Math.Min(buffer.Length, _currentCount - from);
        _current.AsSpan(from, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        _position = target;
        return target;
    }

    /// <summary>Makes the chunk holding <see cref="_position"/> current and starts fetching the one after it.</summary>
    private void Refill()
    {
        if (_prefetch is { } pending && _prefetchStart == _position)
        {
            _prefetch = null;
            var count = pending.GetAwaiter().GetResult();
            (_current, _spare) = (_spare, _current);
            _currentStart = _position;
            _currentCount = count;
        }
        else
        {
            WaitForPrefetch();
            _currentStart = _position;
            _currentCount = 0;   // the buffer is being overwritten
            _currentCount = Fetch(_position, _current);
        }
        var next = _currentStart + _currentCount;
        if (next < Length)
        {
            var into = _spare;
            _prefetchStart = next;
            _prefetch = Task.Run(() => Fetch(next, into));
        }
    }

    /// <summary>A prefetch that is not wanted any more still owns the connection: let it finish, ignore its outcome.</summary>
    private void WaitForPrefetch()
    {
        if (_prefetch is not { } pending) return;
        _prefetch = null;
        try
        {
            pending.GetAwaiter().GetResult();
        }
        catch (StorageException)
        {
            // The next fetch meets the same problem and reports it.
        }
    }

    /// <summary>Fills <paramref name="into"/> from <paramref name="offset"/> (or up to the end of the file),
    /// reconnecting and resuming at the first missing byte while the connection keeps failing, for up to the
    /// resume window.</summary>
    private int Fetch(long offset, byte[] into)
    {
        var want = (int)Math.Min(into.Length, Length - offset);
        var got = 0;
        Stopwatch? failing = null;
        var delay = TimeSpan.FromMilliseconds(100);
        while (got < want)
        {
            try
            {
                var file = _file ?? Reopen();
                var n = file.Connection.ReadAt(file.Handle, offset + got, into.AsSpan(got, want - got));
                if (n == 0)
                    throw new StorageException(_url.ToString(), StorageFailure.Changed, $"the file ended at byte {offset + got}, but it had {Length} bytes when opened");
                got += n;
                failing = null;
            }
            catch (Exception e) when (XRootDClient.IsConnectionProblem(e) || e is StorageException { IsTransient: true })
            {
                _file?.Dispose();
                _file = null;
                failing ??= Stopwatch.StartNew();
                if (failing.Elapsed >= _options.ResumeWindow)
                    throw new StorageException(_url.ToString(), StorageFailure.ConnectionLost,
                        $"connection lost at byte {offset + got} of {Length} and not re-established within {_options.ResumeWindow.TotalSeconds:0.#} s ({e.Message})", e);
                Thread.Sleep(delay);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
            catch (XRootDServerError e)
            {
                throw XRootDClient.Failure(_url.ToString(), e, midTransfer: true);
            }
        }
        return got;
    }

    private XRootDOpenFile Reopen()
    {
        var file = XRootDClient.OpenForRead(_url, _options);
        Resumes++;
        if (file.Size != Length)
        {
            file.Dispose();
            throw new StorageException(_url.ToString(), StorageFailure.Changed, $"the file changed while it was read: {Length} bytes when opened, {file.Size} now");
        }
        return _file = file;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            WaitForPrefetch();
            _file?.Dispose();
            _file = null;
        }
        base.Dispose(disposing);
    }
}
