namespace GainCal.Tests.Cluster;

/// <summary>Sizes and the corruption of the cluster tests, in one place.</summary>
public static class ClusterTestSizes
{
    /// <summary>ROCs per simulated FED: enough that a FED takes seconds, so nodes can be killed mid-run.</summary>
    public const int RocsPerFed = 36;

    /// <summary>Damages a dump as a failed transfer would: the run-number word survives, every byte after it
    /// is zero, so the core finds no SLink fragment and refuses the file with a DumpFormatException.</summary>
    public static void Corrupt(string dumpPath)
    {
        var length = new FileInfo(dumpPath).Length;
        using var f = File.Open(dumpPath, FileMode.Open, FileAccess.Write);
        f.Position = 8;
        f.Write(new byte[length - 8]);
    }
}
