using System.Diagnostics;

namespace GainCal.Dump;

/// <summary>
/// A read-only stream that keeps the average rate of the stream it wraps at or below a limit, by sleeping
/// before a read whose bytes would arrive ahead of schedule. Nodes use it to spare shared storage (EOS)
/// when many FEDs read at once; the sleep is per read call (megabytes), never per word.
/// </summary>
public sealed class RateLimitedStream : Stream
{
    private readonly Stream _inner;
    private readonly double _bytesPerSecond;
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();
    private long _delivered;

    public RateLimitedStream(Stream inner, double bytesPerSecond)
    {
        if (!(bytesPerSecond > 0)) throw new ArgumentOutOfRangeException(nameof(bytesPerSecond), bytesPerSecond, "the read limit must be positive");
        _inner = inner;
        _bytesPerSecond = bytesPerSecond;
    }

    public override int Read(Span<byte> buffer)
    {
        // Wait until the bytes already delivered are due; then this read may go at full speed.
        var due = TimeSpan.FromSeconds(_delivered / _bytesPerSecond) - Stopwatch.GetElapsedTime(_startTimestamp);
        if (due > TimeSpan.Zero) Thread.Sleep(due);
        var n = _inner.Read(buffer);
        _delivered += n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override bool CanRead => true;
    public override bool CanSeek => _inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => _inner.Length;

    public override long Position
    {
        get => _inner.Position;
        set => throw new NotSupportedException("a rate-limited dump is read front to back");
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("a rate-limited dump is read front to back");
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }
}
