namespace GainCal.Dump;

internal struct Fragment
{
    public int Start;   // word index of the header in the reader's buffer
    public int Words;   // header + payload + trailer
    public int Fed;
    public bool CrcDropped;
    public long Offset; // file byte offset of the header
}

/// <summary>One event as the reference builds it: consecutive fragments sharing the L1ID, one per FED. Valid until the next read.</summary>
public readonly ref struct DumpEvent
{
    private readonly ReadOnlySpan<ulong> _words;
    private readonly ReadOnlySpan<Fragment> _fragments;

    internal DumpEvent(long index, uint l1Id, long offset, ReadOnlySpan<ulong> words, ReadOnlySpan<Fragment> fragments)
    {
        Index = index;
        L1Id = l1Id;
        Offset = offset;
        _words = words;
        _fragments = fragments;
    }

    /// <summary>0-based reading order: the reference's event counter (the L1ID does not enter the calibration sequence).</summary>
    public long Index { get; }

    /// <summary>L1ID of the event's first fragment header.</summary>
    public uint L1Id { get; }

    /// <summary>Byte offset of the event's first header.</summary>
    public long Offset { get; }

    public int FragmentCount => _fragments.Length;

    public int FedId(int fragment) => _fragments[fragment].Fed;

    public long FragmentOffset(int fragment) => _fragments[fragment].Offset;

    /// <summary>64-bit payload words between header and trailer; each holds two 32-bit pixel words, low half first.</summary>
    public ReadOnlySpan<ulong> Payload(int fragment)
    {
        ref readonly Fragment f = ref _fragments[fragment];
        return _words.Slice(f.Start + 1, f.Words - 2);
    }

    /// <summary>The trailer's CRC-modified bit is set: CMSSW drops every pixel of this fragment.</summary>
    public bool CrcDropped(int fragment) => _fragments[fragment].CrcDropped;
}
