namespace GainCal.Dump;

/// <summary>A file that cannot be read as a pixel dump at all. Message: "&lt;file&gt;: at byte &lt;offset&gt;: &lt;problem&gt;".</summary>
public sealed class DumpFormatException : Exception
{
    public DumpFormatException(string file, long offset, string problem)
        : base($"{file}: at byte {offset}: {problem}")
    {
        File = file;
        Offset = offset;
    }

    public string File { get; }

    public long Offset { get; }
}
