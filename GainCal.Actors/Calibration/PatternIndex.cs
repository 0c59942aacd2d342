using System.Globalization;
using System.Text;
using GainCal.Storage;

namespace GainCal.Calibration;

/// <summary>
/// Byte offset in a FED's dump of the first event of each calibration pattern, recorded while the FED is calibrated
/// and written beside its table (fed/&lt;FED&gt;.patterns), so that one pixel's curve can be read back from its pattern's
/// window alone. Text: a header with the run, the dump's length and its full path, then one "pattern offset" line each.
/// </summary>
public sealed class PatternIndex
{
    public const string Extension = ".patterns";
    private const string Magic = "# GainCal pattern index v1";

    private readonly long[] _offsets;

    public PatternIndex(int patterns)
    {
        _offsets = new long[patterns];
        Array.Fill(_offsets, -1);
    }

    private PatternIndex(long[] offsets, string dumpPath, long dumpLength, uint run)
    {
        _offsets = offsets;
        DumpPath = dumpPath;
        DumpLength = dumpLength;
        Run = run;
    }

    public int Patterns => _offsets.Length;
    /// <summary>The dump the offsets are of, as the calibration named it (full path).</summary>
    public string DumpPath { get; private set; } = "";
    public long DumpLength { get; private set; }
    public uint Run { get; private set; }

    /// <summary>Where the pattern's first event starts; -1 if the dump never reached it.</summary>
    public long this[int pattern] => (uint)pattern < (uint)_offsets.Length ? _offsets[pattern] : -1;

    /// <summary>The hook of the FED scan: called when the first event of a pattern is read (the same value whichever scanner calls).</summary>
    public void Record(int pattern, long offset)
    {
        if ((uint)pattern < (uint)_offsets.Length) _offsets[pattern] = offset;
    }

    /// <summary>The bytes [start, end) of the pattern's events: up to the next recorded pattern, or the end of the dump.</summary>
    public (long Start, long End)? Window(int pattern)
    {
        var start = this[pattern];
        if (start < 0) return null;
        for (var p = pattern + 1; p < _offsets.Length; p++)
            if (_offsets[p] > start) return (start, _offsets[p]);
        return (start, DumpLength);
    }

    public static string PathBeside(string tablePath) => Path.ChangeExtension(tablePath, Extension);

    /// <summary>Writes the index beside the FED's table (temporary name, then rename).</summary>
    public void WriteBeside(string tablePath, string dumpPath, long dumpLength, uint run)
    {
        var b = new StringBuilder();
        var dump = StorageByLocation.IsRemote(dumpPath) ? dumpPath : Path.GetFullPath(dumpPath);
        b.Append(CultureInfo.InvariantCulture, $"{Magic}\n# run {run} dump-bytes {dumpLength}\n# dump {dump}\n");
        for (var p = 0; p < _offsets.Length; p++)
            if (_offsets[p] >= 0) b.Append(CultureInfo.InvariantCulture, $"{p} {_offsets[p]}\n");
        using var write = StorageByLocation.Default.BeginWrite(PathBeside(tablePath));
        write.Stream.Write(Encoding.UTF8.GetBytes(b.ToString()));
        write.Commit();
    }

    /// <summary>Reads an index; a file that is not one is a one-line error naming it.</summary>
    public static PatternIndex Read(string path, int patterns)
    {
        if (StorageByLocation.Default.Stat(path) is not { IsDirectory: false })
            throw new FileNotFoundException($"{path}: no pattern index (calibrate the FED again with this version to write it)", path);
        var lines = new List<string>();
        using (var reader = new StreamReader(StorageByLocation.Default.OpenRead(path), Encoding.UTF8))
            while (reader.ReadLine() is { } line) lines.Add(line);
        string Bad(string what) => $"{path}: not a GainCal pattern index ({what})";
        if (lines.Count < 3 || lines[0] != Magic) throw new InvalidDataException(Bad("first line"));
        var head = lines[1].Split(' ');
        if (head.Length != 5 || head[1] != "run" || head[3] != "dump-bytes" || !uint.TryParse(head[2], CultureInfo.InvariantCulture, out var run)
            || !long.TryParse(head[4], CultureInfo.InvariantCulture, out var length))
            throw new InvalidDataException(Bad("second line"));
        if (!lines[2].StartsWith("# dump ", StringComparison.Ordinal)) throw new InvalidDataException(Bad("third line"));
        var offsets = new long[patterns];
        Array.Fill(offsets, -1);
        for (var i = 3; i < lines.Count; i++)
        {
            var f = lines[i].Split(' ');
            if (f.Length != 2 || !int.TryParse(f[0], CultureInfo.InvariantCulture, out var p) || !long.TryParse(f[1], CultureInfo.InvariantCulture, out var o)
                || (uint)p >= (uint)patterns || o < 0 || o >= length)
                throw new InvalidDataException(Bad($"line {i + 1}: '{lines[i]}'"));
            offsets[p] = o;
        }
        return new PatternIndex(offsets, lines[2]["# dump ".Length..], length, run);
    }
}
