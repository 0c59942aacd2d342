namespace GainCal.Storage;

/// <summary>Files on XRootD servers, addressed by <c>root://host[:port]//path</c> URLs (managed client; docs/storage.md).</summary>
public sealed class XRootDStorage(XRootDOptions? options = null) : IStorage
{
    private readonly XRootDOptions _options = options ?? XRootDOptions.Default;

    public Stream OpenRead(string location) => XRootDReadStream.Open(Parse(location), _options);

    public IReadOnlyList<StorageEntry> List(string directory) => XRootDClient.List(Parse(directory), _options);

    public StorageEntry? Stat(string location) => XRootDClient.Stat(Parse(location), _options);

    public AtomicWrite BeginWrite(string location)
    {
        var url = Parse(location);
        var parent = url.Path.LastIndexOf('/');
        if (url.Path == "/") throw new StorageException(location, StorageFailure.Other, "cannot write to the server's root directory itself");
        var temp = url.WithPath(url.Path[..(parent + 1)] + AtomicWrite.TemporaryName(url.Name));
        return new XRootDAtomicWrite(url, temp, XRootDClient.Create(temp, _options), _options.ChunkBytes);
    }

    private static XRootDUrl Parse(string location) =>
        XRootDUrl.TryParse(location, out var url, out var problem) ? url : throw new StorageException(location, StorageFailure.Other, problem);

    /// <summary>Buffers writes into kXR_write requests of one chunk; the rename is kXR_mv on the same connection.
    /// A write that loses its connection fails (the caller writes the product again): unlike a read, half a
    /// temporary file on the server cannot be trusted to hold what was sent.</summary>
    private sealed class XRootDAtomicWrite : AtomicWrite
    {
        private readonly XRootDUrl _url;
        private readonly XRootDUrl _temp;
        private readonly XRootDOpenFile _file;
        private readonly WriteStream _stream;
        private bool _disposed;

        public XRootDAtomicWrite(XRootDUrl url, XRootDUrl temp, XRootDOpenFile file, int bufferBytes)
            : base(url.ToString(), temp.ToString())
        {
            _url = url;
            _temp = temp;
            _file = file;
            _stream = new WriteStream(this, bufferBytes);
        }

        public override Stream Stream => _stream;

        public override void Commit()
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (Committed) return;
            Guard(() =>
            {
                _stream.FlushBuffer();
                XRootDClient.Move(_file.Connection, _temp.Path, _url.Path);
            });
            Committed = true;
        }

        private void Guard(Action action)
        {
            try
            {
                action();
            }
            catch (Exception e) when (e is XRootDServerError || XRootDClient.IsConnectionProblem(e))
            {
                throw XRootDClient.Failure(Location, e, midTransfer: true);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (!disposing || _disposed) return;
            _disposed = true;
            if (!Committed)
            {
                try
                {
                    XRootDClient.Remove(_file.Connection, _temp.Path);
                }
                catch (Exception e) when (e is XRootDServerError || XRootDClient.IsConnectionProblem(e))
                {
                    // Connection gone: the temporary file stays; its name says what it is.
                }
            }
            _file.Dispose();
        }

        private sealed class WriteStream(XRootDAtomicWrite owner, int bufferBytes) : Stream
        {
            private readonly byte[] _buffer = new byte[bufferBytes];
            private int _buffered;
            private long _flushed;

            public override bool CanRead => false;

            public override bool CanSeek => false;

            public override bool CanWrite => !owner._disposed && !owner.Committed;

            public override long Length => _flushed + _buffered;

            public override long Position
            {
                get => _flushed + _buffered;
                set => throw new NotSupportedException();
            }

            public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

            public override void Write(ReadOnlySpan<byte> data)
            {
                if (!CanWrite) throw new ObjectDisposedException(owner.Location, "the atomic write is committed or disposed");
                while (!data.IsEmpty)
                {
                    var n = Math.Min(data.Length, _buffer.Length - _buffered);
                    data[..n].CopyTo(_buffer.AsSpan(_buffered));
                    _buffered += n;
                    data = data[n..];
                    if (_buffered == _buffer.Length) owner.Guard(FlushBuffer);
                }
            }

            public void FlushBuffer()
            {
                if (_buffered == 0) return;
                XRootDClient.Write(owner._file, _flushed, _buffer.AsSpan(0, _buffered));
                _flushed += _buffered;
                _buffered = 0;
            }

            // Bytes reach the server in whole buffers and at Commit; Flush has nothing durable to offer before then.
            public override void Flush()
            {
            }

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();
        }
    }
}
