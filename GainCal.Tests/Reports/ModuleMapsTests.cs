using GainCal.Detector;
using GainCal.Reports;

namespace GainCal.Tests.Reports;

public class ModuleMapsTests
{
    [Fact]
    public void Bpix_layer_map_is_ladder_by_module_and_leaves_other_modules_empty()
    {
        var (grid, extent) = ModuleMaps.Layer(2, [(DetId.BPix(2, 17, 8).Raw, 5.0), (DetId.BPix(3, 17, 8).Raw, 9.0)]);
        Assert.Equal(28, grid.GetLength(0));
        Assert.Equal(8, grid.GetLength(1));
        Assert.Equal(5.0, grid[16, 7]);
        Assert.Equal(1, grid.Cast<double>().Count(double.IsFinite));
        Assert.Equal((0.5, 8.5, 0.5, 28.5), (extent.Left, extent.Right, extent.Bottom, extent.Top));
    }

    [Fact]
    public void Fpix_side_map_is_disk_by_blade_and_panel()
    {
        var (grid, extent) = ModuleMaps.Side(1, [(DetId.FPix(1, 3, 50, 2).Raw, 1.5), (DetId.FPix(2, 3, 50, 2).Raw, 7.0)]);
        Assert.Equal(3, grid.GetLength(0));
        Assert.Equal(112, grid.GetLength(1));
        Assert.Equal(1.5, grid[2, 99]);
        Assert.Equal(1, grid.Cast<double>().Count(double.IsFinite));
        // Panel 1 of blade b is centred on b, panel 2 on b + 0.5.
        Assert.Equal(50.5, extent.Left + (99 + 0.5) * (extent.Right - extent.Left) / 112);
        Assert.Equal(22.75, ModuleMaps.RingBoundary);
    }
}
