using System.Diagnostics;

namespace GainCal.Storage;

/// <summary>
/// Reads a file on an XRootD server without copying it locally. Up to <see cref="XRootDOptions.ReadsInFlight"/>
/// kXR_read requests of up to <see cref="XRootDOptions.ChunkBytes"/> are kept in flight on the one connection
/// (pipelined, each with its own stream id), so the server streams the next megabytes into the socket while the
/// caller works on the current ones; the caller's buffer receives the bytes straight from the socket (no
/// intermediate copy), and the kernel's socket buffer is the read-ahead, so the stream itself holds 64 KiB
/// whatever the file size. After an open or a seek the requests start at 64 KiB and double, so a reader that
/// jumps around (the Parquet reader: footer, then column chunks) does not pull megabytes it then drains.
/// When the connection breaks (server killed, restarted, network cut) the stream reconnects, reopens the file
/// and asks again from the first byte it had not delivered, for up to <see cref="XRootDOptions.ResumeWindow"/>;
/// a file whose size changed meanwhile fails with <see cref="StorageFailure.Changed"/> instead of mixing
/// bytes of two files. Seekable; not thread-safe, like FileStream.
/// </summary>
public sealed class XRootDReadStream : Stream
{
    private const int FirstRequestBytes = 64 << 10;

    // Reads smaller than this are served from a staging buffer: a socket receive per tiny read costs more than a copy.
    private const int StageBytes = 64 << 10;

    private readonly XRootDUrl _url;
    private readonly XRootDOptions _options;
    private readonly Queue<PendingRead> _inFlight = new();
    private readonly byte[] _stage = new byte[StageBytes];
    private XRootDOpenFile? _file;
    private long _position;
    private long _wire;          // file offset of the next byte the connection delivers
    private long _requested;     // file offset just after the last byte asked for
    private int _nextRequest;    // bytes of the next kXR_read
    private int _partLeft;       // bytes of the current answer part still in the socket
    private bool _partFinal;     // the current part is its request's last (kXR_ok, not kXR_oksofar)
    private bool _pipelined = true;
    private long _stageStart;
    private int _stageCount;
    private bool _disposed;

    private readonly record struct PendingRead(ushort StreamId, long Offset, int Length);

    private XRootDReadStream(XRootDUrl url, XRootDOptions options, XRootDOpenFile file)
    {
        _url = url;
        _options = options;
        _file = file;
        Length = file.Size;
        _nextRequest = Math.Min(FirstRequestBytes, options.ChunkBytes);
    }

    /// <summary>Opens the file (one attempt: a missing file or a down server fails at once, naming the URL).</summary>
    public static XRootDReadStream Open(XRootDUrl url, XRootDOptions? options = null)
    {
        options ??= XRootDOptions.Default;
        if (options.ChunkBytes is < 4096 or > 64 << 20) throw new ArgumentOutOfRangeException(nameof(options), options.ChunkBytes, "chunk size must be 4 KiB to 64 MiB");
        if (options.ReadsInFlight is < 1 or > 64) throw new ArgumentOutOfRangeException(nameof(options), options.ReadsInFlight, "reads in flight must be 1 to 64");
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
        if (_position >= _stageStart && _position < _stageStart + _stageCount) return FromStage(buffer);
        Stopwatch? failing = null;
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                return FromServer(buffer);
            }
            catch (Exception e) when (XRootDClient.IsConnectionProblem(e) || e is StorageException { IsTransient: true })
            {
                _file?.Connection.Dispose();   // broken or out of step: the server forgets the handle with it
                _file = null;
                failing ??= Stopwatch.StartNew();
                if (failing.Elapsed >= _options.ResumeWindow)
                    throw new StorageException(_url.ToString(), StorageFailure.ConnectionLost,
                        $"connection lost at byte {_position} of {Length} and not re-established within {_options.ResumeWindow.TotalSeconds:0.#} s ({e.Message})", e);
                Thread.Sleep(e is XRootDWait w ? TimeSpan.FromSeconds(Math.Clamp(w.Seconds, 1, 10)) : delay);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
            catch (XRootDServerError e)
            {
                throw XRootDClient.Failure(_url.ToString(), e, midTransfer: true);
            }
        }
    }

    private int FromStage(Span<byte> buffer)
    {
        var from = (int)(_position - _stageStart);
        var n = Math.Min(buffer.Length, _stageCount - from);
        _stage.AsSpan(from, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    /// <summary>Delivers the bytes at <see cref="_position"/> from the connection: large reads straight into the
    /// caller's buffer, small ones through the staging buffer; keeps the pipeline of requests full.</summary>
    private int FromServer(Span<byte> buffer)
    {
        var file = _file ?? Reopen();
        if (_wire != _position)
        {
            if (_position > _wire && _position < _requested)
            {
                Discard(file, _position);   // a short skip ahead: the bytes are on their way anyway
            }
            else
            {
                Discard(file, _requested);
                _wire = _requested = _position;
                _nextRequest = Math.Min(FirstRequestBytes, _options.ChunkBytes);
            }
        }
        var limit = _pipelined ? _options.ReadsInFlight : 1;
        while (_inFlight.Count < limit && _requested < Length)
        {
            var length = (int)Math.Min(_nextRequest, Length - _requested);
            _inFlight.Enqueue(new PendingRead(file.Connection.SendRead(file.Handle, _requested, length), _requested, length));
            _requested += length;
            _nextRequest = Math.Min(_nextRequest * 2, _options.ChunkBytes);
        }
        NextPart(file);
        if (buffer.Length >= StageBytes)
        {
            var n = file.Connection.ReceiveSome(buffer[..Math.Min(buffer.Length, _partLeft)]);
            Advance(n);
            _position += n;
            return n;
        }
        ToStage(file, StageBytes);
        return FromStage(buffer);
    }

    /// <summary>Takes bytes off the connection into the staging buffer until the connection is at <paramref name="until"/>.</summary>
    private void Discard(XRootDOpenFile file, long until)
    {
        while (_wire < until)
        {
            NextPart(file);
            ToStage(file, (int)Math.Min(StageBytes, until - _wire));
        }
    }

    private void ToStage(XRootDOpenFile file, int most)
    {
        var start = _wire;
        _stageCount = 0;   // overwritten from here on
        var n = file.Connection.ReceiveSome(_stage.AsSpan(0, Math.Min(most, _partLeft)));
        Advance(n);
        _stageStart = start;
        _stageCount = n;
    }

    /// <summary>Makes sure bytes of the oldest request's answer are waiting (<see cref="_partLeft"/> > 0).</summary>
    private void NextPart(XRootDOpenFile file)
    {
        while (_partLeft == 0)
        {
            var head = _inFlight.Peek();
            var (streamId, final, length) = file.Connection.ReceiveDataHeader();
            if (streamId != head.StreamId)
            {
                // The protocol lets a server answer in any order; Debian's answers a connection's requests in
                // order (checked). One that does not is read one request at a time from then on.
                _pipelined = false;
                throw new IOException($"{file.Connection.Server}: the answers to pipelined reads came out of order");
            }
            if (length > head.Offset + head.Length - _wire) throw new IOException($"{file.Connection.Server}: the server sent more bytes than were asked for");
            _partLeft = length;
            _partFinal = final;
            if (length == 0 && final) CompleteHead();
        }
    }

    private void Advance(int n)
    {
        _wire += n;
        _partLeft -= n;
        if (_partLeft == 0 && _partFinal) CompleteHead();
    }

    private void CompleteHead()
    {
        var head = _inFlight.Dequeue();
        _partFinal = false;
        if (_wire != head.Offset + head.Length)
            throw new StorageException(_url.ToString(), StorageFailure.Changed, $"the file ended at byte {_wire}, but it had {Length} bytes when opened");
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

    private XRootDOpenFile Reopen()
    {
        var file = XRootDClient.OpenForRead(_url, _options);
        Resumes++;
        if (file.Size != Length)
        {
            file.Dispose();
            throw new StorageException(_url.ToString(), StorageFailure.Changed, $"the file changed while it was read: {Length} bytes when opened, {file.Size} now");
        }
        _inFlight.Clear();
        _partLeft = 0;
        _partFinal = false;
        _wire = _requested = _position;
        _nextRequest = Math.Min(FirstRequestBytes, _options.ChunkBytes);
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
            // With answers still in the socket a kXR_close would be read as one of them: just drop the connection.
            if (_inFlight.Count == 0) _file?.Dispose();
            else _file?.Connection.Dispose();
            _file = null;
        }
        base.Dispose(disposing);
    }
}
