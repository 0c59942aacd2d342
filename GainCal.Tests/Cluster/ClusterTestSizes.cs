namespace GainCal.Tests.Cluster;

/// <summary>Sizes and the corruption of the cluster tests, in one place.</summary>
public static class ClusterTestSizes
{
    /// <summary>ROCs per simulated FED: enough that a FED takes seconds, so nodes can be killed mid-run.</summary>
    public const int RocsPerFed = 24;

    /// <summary>Damages a dump so that the core refuses it with a DumpFormatException.</summary>
    public static void Corrupt(string dumpPath)
    {
        using var f = File.Open(dumpPath, FileMode.Open, FileAccess.Write);
        f.Position = 0;
        f.Write(new byte[16]);
    }
}
