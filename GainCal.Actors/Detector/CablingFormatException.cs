namespace GainCal.Detector;

/// <summary>A cabling file that cannot be read. Message: "&lt;file&gt;: line &lt;n&gt;: &lt;problem&gt;".</summary>
public sealed class CablingFormatException(string file, int line, string problem)
    : Exception(line > 0 ? $"{file}: line {line}: {problem}" : $"{file}: {problem}")
{
    public string File { get; } = file;

    /// <summary>1-based line number; 0 when the problem concerns the whole file.</summary>
    public int Line { get; } = line;
}
