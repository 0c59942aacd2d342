namespace GainCal.Cli.Commands;

/// <summary>Checks of the files and directories an operator names, so that a directory where a file belongs (or the
/// reverse) is reported as such instead of as a missing file or a raw .NET message.</summary>
internal static class CliPaths
{
    /// <summary>An existing file to read; <paramref name="what"/> names it ("dump file").</summary>
    public static string InputFile(string path, string what)
    {
        if (Directory.Exists(path)) throw new IOException($"{path}: is a directory, not a {what}");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such {what}", path);
        return path;
    }

    /// <summary>A file to write: not a directory, and its directory can be created.</summary>
    public static string OutputFile(string path)
    {
        if (Directory.Exists(path)) throw new IOException($"{path}: is a directory, not a file");
        OutputDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return path;
    }

    /// <summary>A directory to write into, created if needed; a file at its place or above it is an error.</summary>
    public static string OutputDirectory(string path)
    {
        if (File.Exists(path)) throw new IOException($"{path}: is a file, not a directory");
        for (var parent = Path.GetDirectoryName(Path.GetFullPath(path)); parent is not null; parent = Path.GetDirectoryName(parent))
            if (File.Exists(parent)) throw new IOException($"{path}: {parent} is a file, not a directory");
        return Directory.CreateDirectory(path).FullName;
    }

    /// <summary>The working directory of a command that starts a run from scratch (demo, bench cluster): new or empty,
    /// because the journal and outputs of an earlier run in it would be taken for this one's.</summary>
    public static string NewWorkDirectory(string path, string option)
    {
        var full = OutputDirectory(path);
        if (Directory.EnumerateFileSystemEntries(full).Any())
            throw new IOException($"{option} {path} is not empty (it may hold an earlier run, whose results would be reported as this one's); " +
                                  $"give a new or empty directory, or leave {option} out for a temporary one");
        return full;
    }
}
