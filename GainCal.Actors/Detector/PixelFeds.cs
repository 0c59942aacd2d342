namespace GainCal.Detector;

/// <summary>
/// The Phase-1 pixel FED ids, as listed in SiPixelTools-GainCalibration plugins/SiPixelParameters.h
/// (bpixFEDID, fpixFEDID) and test/run.py. Which layers or disks a FED reads is a property of the
/// cabling (<see cref="CablingMap"/>), not of the id.
/// </summary>
public static class PixelFeds
{
    // Ids above this bound are not FEDs of any sub-detector; keeps the lookup table small.
    private const int MaxFedId = 4096;

    private static readonly int[] BPixIds = Blocks(first: 1200, blockCount: 8, blockSize: 10, stride: 12);
    private static readonly int[] FPixIds = Blocks(first: 1296, blockCount: 4, blockSize: 7, stride: 12);
    private static readonly int[] AllIds = [.. BPixIds, .. FPixIds];
    private static readonly byte[] Kind = BuildKind();

    private const byte KindBPix = 1;
    private const byte KindFPix = 2;

    /// <summary>The 80 barrel FEDs: 8 blocks of 10 consecutive ids, each block 12 ids after the previous one.</summary>
    public static IReadOnlyList<int> BPix { get; } = Array.AsReadOnly(BPixIds);

    /// <summary>The 28 forward FEDs: 4 blocks of 7 consecutive ids, each block 12 ids after the previous one.</summary>
    public static IReadOnlyList<int> FPix { get; } = Array.AsReadOnly(FPixIds);

    /// <summary>All 108 pixel FEDs, ascending.</summary>
    public static IReadOnlyList<int> All { get; } = Array.AsReadOnly(AllIds);

    public static bool IsPixelFed(int fed) => KindOf(fed) != 0;

    public static bool IsBPix(int fed) => KindOf(fed) == KindBPix;

    public static bool IsFPix(int fed) => KindOf(fed) == KindFPix;

    private static byte KindOf(int fed) => (uint)fed < MaxFedId ? Kind[fed] : (byte)0;

    private static int[] Blocks(int first, int blockCount, int blockSize, int stride)
    {
        var ids = new int[blockCount * blockSize];
        for (int b = 0; b < blockCount; b++)
            for (int i = 0; i < blockSize; i++)
                ids[b * blockSize + i] = first + b * stride + i;
        return ids;
    }

    private static byte[] BuildKind()
    {
        var kind = new byte[MaxFedId];
        foreach (int fed in BPixIds) kind[fed] = KindBPix;
        foreach (int fed in FPixIds) kind[fed] = KindFPix;
        return kind;
    }
}
