namespace GainCal.Payloads.Conditions;

/// <summary>
/// A blob that is not a well-formed archive of the class asked for. Message: "at byte N of the archive: expected X, found Y";
/// readers of files prefix it with the file name.
/// </summary>
public sealed class ArchiveFormatException(long offset, string expected, string found)
    : FormatException($"at byte {offset} of the archive: expected {expected}, found {found}")
{
    /// <summary>Offset in the blob of the first byte that does not fit.</summary>
    public long Offset { get; } = offset;

    public string Expected { get; } = expected;
}
