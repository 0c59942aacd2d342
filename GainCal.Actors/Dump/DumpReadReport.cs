namespace GainCal.Dump;

/// <summary>What a <see cref="DumpReader"/> found while reading. Counts are exact; the message list is bounded.</summary>
public sealed class DumpReadReport
{
    internal const int MaxMessages = 100;

    private readonly List<string> _messages = [];

    public long Events { get; internal set; }

    public long Fragments { get; internal set; }

    /// <summary>64-bit words skipped while looking for an SLink header (the reference's resynchronisation).</summary>
    public long WordsSkipped { get; internal set; }

    public int Resyncs { get; internal set; }

    public bool Truncated { get; internal set; }

    /// <summary>Byte offset of the first byte not used because the file was cut (start of the cut fragment, or of the partial word).</summary>
    public long TruncatedAt { get; internal set; } = -1;

    public long FedIdMismatches { get; internal set; }

    /// <summary>Places where an event's L1ID exceeds the previous event's L1ID + 1.</summary>
    public long L1IdGaps { get; internal set; }

    /// <summary>L1IDs missing in all gaps together.</summary>
    public long L1IdsMissing { get; internal set; }

    /// <summary>Fragments repeating the FED of an earlier fragment of the same event (merged and replaced as the reference does), plus events repeating the previous event's L1ID.</summary>
    public long L1IdDuplicates { get; internal set; }

    /// <summary>Events whose L1ID is below the previous event's (the reference prints a warning and goes on).</summary>
    public long L1IdDecreases { get; internal set; }

    public long CrcDroppedFragments { get; internal set; }

    /// <summary>Fragments whose trailer length differs from the words actually between header and trailer (CMSSW error 34; pixels still decoded).</summary>
    public long TrailerLengthMismatches { get; internal set; }

    /// <summary>Fragments with no trailer within the reader's fragment size limit, dropped.</summary>
    public long OversizedFragments { get; internal set; }

    public int MessagesSuppressed { get; private set; }

    public IReadOnlyList<string> Messages => _messages;

    internal void Add(string file, long offset, string problem)
    {
        if (_messages.Count < MaxMessages)
            _messages.Add($"{file}: at byte {offset}: {problem}");
        else
            MessagesSuppressed++;
    }
}
