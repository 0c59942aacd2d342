using GainCal.Detector;
using ScottPlot;

namespace GainCal.Reports;

/// <summary>
/// Lays per-module values out as the detector's Phase-1 maps: a BPix layer as offline ladder (y) by module (x),
/// an FPix side as disk (y) by blade and panel (x, panel 2 half a blade to the right), ring boundary dashed.
/// Modules without a value are NaN.
/// </summary>
internal static class ModuleMaps
{
    private static readonly int[] LaddersPerLayer = [12, 28, 44, 64];

    public static (double[,] Values, CoordinateRect Extent) Layer(int layer, IEnumerable<(uint DetId, double Value)> modules)
    {
        var ladders = LaddersPerLayer[layer - 1];
        var grid = Filled(ladders, DetId.ModulesPerLadder);
        foreach (var (raw, value) in modules)
        {
            var id = new DetId(raw);
            if (id.IsBPix && id.Layer == layer) grid[id.Ladder - 1, id.Module - 1] = value;
        }
        return (grid, new CoordinateRect(0.5, DetId.ModulesPerLadder + 0.5, 0.5, ladders + 0.5));
    }

    public static (double[,] Values, CoordinateRect Extent) Side(int side, IEnumerable<(uint DetId, double Value)> modules)
    {
        var grid = Filled(DetId.FPixDisks, DetId.BladesPerDisk * DetId.PanelsPerBlade);
        foreach (var (raw, value) in modules)
        {
            var id = new DetId(raw);
            if (id.IsFPix && id.Side == side) grid[id.Disk - 1, 2 * (id.Blade - 1) + id.Panel - 1] = value;
        }
        return (grid, new CoordinateRect(0.75, DetId.BladesPerDisk + 0.75, 0.5, DetId.FPixDisks + 0.5));
    }

    /// <summary>x of the boundary between ring 1 (blades 1-22) and ring 2 on an FPix side map.</summary>
    public static double RingBoundary => DetId.LastRing1Blade + 0.75;

    private static double[,] Filled(int rows, int columns)
    {
        var grid = new double[rows, columns];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++) grid[r, c] = double.NaN;
        return grid;
    }
}
