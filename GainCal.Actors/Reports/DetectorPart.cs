using GainCal.Detector;

namespace GainCal.Reports;

/// <summary>
/// The groups a report breaks the detector into: the four BPix layers and, for FPix, each disk split by ring
/// (both sides together). Index order is BPix L1..L4, then FPix D1 R1, D1 R2, ..., D3 R2.
/// </summary>
public static class DetectorPart
{
    public const int Count = 10;
    public const int FirstFPix = 4;

    private static readonly string[] Names =
        ["BPix L1", "BPix L2", "BPix L3", "BPix L4", "FPix D1 R1", "FPix D1 R2", "FPix D2 R1", "FPix D2 R2", "FPix D3 R1", "FPix D3 R2"];

    /// <summary>The part index of a module, or -1 for an id that is not a Phase-1 pixel module.</summary>
    public static int Of(DetId id)
    {
        if (!id.IsPhase1Module) return -1;
        if (id.IsBPix) return id.Layer - 1;
        return FirstFPix + 2 * (id.Disk - 1) + (id.Ring - 1);
    }

    public static string Name(int part) => Names[part];

    public static bool IsBPix(int part) => part < FirstFPix;
}
