namespace GainCal.Tests.Cluster;

/// <summary>Sizes and the corruption of the cluster tests, in one place.</summary>
public static class ClusterTestSizes
{
    /// <summary>ROCs per simulated FED: about 40 MB of dump.</summary>
    public const int RocsPerFed = 16;

    /// <summary>Nodes read each dump at most this fast (MB/s, the node's --read-limit): a FED then lasts about five
    /// seconds on any machine, never less, so a node or the cluster can be killed while FEDs are running.
    /// Without it a fast machine finished the run before the test could kill a node mid-run.</summary>
    public const string ReadLimit = "8";

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
