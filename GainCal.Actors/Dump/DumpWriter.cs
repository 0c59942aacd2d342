using System.Buffers.Binary;

namespace GainCal.Dump;

/// <summary>
/// Writes the .dmp format read by PixelDumpDataInputSource: a run-number word, then per event one SLink
/// fragment (header, 32-bit pixel words paired low-then-high into 64-bit words, trailer).
/// A stream passed in is disposed with the writer.
/// </summary>
public sealed class DumpWriter : IDisposable
{
    private const int BufferBytes = 1 << 20;

    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[BufferBytes];
    private int _used;
    private bool _disposed;

    public DumpWriter(string path, uint runNumber)
        : this(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1, FileOptions.SequentialScan), runNumber)
    {
    }

    public DumpWriter(Stream stream, uint runNumber)
    {
        _stream = stream;
        // Upper half 0 keeps the run word from ever matching the header mask.
        WriteRawWord(runNumber);
    }

    /// <summary>Pixel words are written as given (0 is padding to every reader); an odd count is padded with one 0.</summary>
    public void WriteEvent(uint l1Id, int fedId, ReadOnlySpan<uint> pixelWords)
    {
        int payloadWords = (pixelWords.Length + 1) / 2;
        int length = payloadWords + 2;
        if (length > SLinkWord.MaxRecognisableLength)
            throw new ArgumentException(
                $"{pixelWords.Length} pixel words make a fragment of {length} 64-bit words; the reference trailer mask only recognises lengths up to {SLinkWord.MaxRecognisableLength}",
                nameof(pixelWords));
        WriteRawWord(SLinkWord.Header(l1Id, fedId));
        int pairs = pixelWords.Length / 2;
        for (int i = 0; i < pairs; i++)
            WriteRawWord(pixelWords[2 * i] | ((ulong)pixelWords[2 * i + 1] << 32));
        if ((pixelWords.Length & 1) != 0)
            WriteRawWord(pixelWords[^1]);
        WriteRawWord(SLinkWord.Trailer(length));
    }

    public void WriteRawWord(ulong word)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_used == BufferBytes) Flush();
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_used), word);
        _used += 8;
    }

    public void Flush()
    {
        _stream.Write(_buffer, 0, _used);
        _used = 0;
        _stream.Flush();
    }

    public void Dispose()
    {
        if (_disposed) return;
        Flush();
        _disposed = true;
        _stream.Dispose();
    }
}
