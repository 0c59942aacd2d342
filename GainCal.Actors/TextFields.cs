namespace GainCal;

/// <summary>
/// The line format of GainCal's text inputs (cabling map, VCal table, luminosity table): fields separated by
/// white space, '#' starts a comment, blank lines are skipped; line numbers are kept for error messages.
/// </summary>
internal static class TextFields
{
    public static IEnumerable<(int Line, string[] Fields)> Read(IEnumerable<string> lines)
    {
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            var hash = raw.IndexOf('#');
            var fields = (hash >= 0 ? raw[..hash] : raw).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 0) yield return (number, fields);
        }
    }
}
