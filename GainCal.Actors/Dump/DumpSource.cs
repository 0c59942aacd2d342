namespace GainCal.Dump;

/// <summary>Where a dump's bytes come from. The pipeline only ever reads a dump sequentially from the start, so a
/// source opens one forward stream per location: a local (or shared) file, or a remote stream such as XRootD's
/// root://host[:port]//path. Length is reported when the source knows it (progress); CanSeek is not needed.</summary>
public interface IDumpSource
{
    /// <summary>Opens the dump for one sequential read; a missing dump is a <see cref="FileNotFoundException"/> naming it.</summary>
    Stream Open(string location);

    /// <summary>Whether the dump exists (a cheap check before a FED is started).</summary>
    bool Exists(string location);
}

/// <summary>Dumps on a local or mounted file system.</summary>
public sealed class LocalDumpSource : IDumpSource
{
    public static readonly LocalDumpSource Instance = new();

    public Stream Open(string location)
    {
        if (!File.Exists(location)) throw new FileNotFoundException($"{location}: no such dump file", location);
        return DumpReader.OpenFile(location);
    }

    public bool Exists(string location) => File.Exists(location);
}
