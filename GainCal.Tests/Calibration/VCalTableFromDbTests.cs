using GainCal.Calibration;
using GainCal.Detector;
using GainCal.Payloads;

namespace GainCal.Tests.Calibration;

public class VCalTableFromDbTests
{
    [Fact]
    public void A_VCal_DB_object_is_read_as_the_fit_s_conversion_table()
    {
        using var dir = new TempDirectory();
        var bpix = new Dictionary<int, double> { [1] = 1.095, [2] = 1.056, [3] = 1.039, [4] = 1.023 };
        var fpix = new Dictionary<int, double> { [1] = 1.1397, [2] = 1.0914 };
        var entries = VCalDb.Build(bpix, fpix);
        var path = dir.File("SiPixelVCal_phase1_2025_v0.db");
        VCalDb.Write(path, VCalDb.TagName("2025_v0"), entries);

        var table = VCalTable.Load(path);
        var layer1 = DetId.BPix(1, 1, 1);
        Assert.Equal((double)(float)(45.7 * 1.095), table.For(layer1.Raw).Slope, 5);
        Assert.Equal(-308, table.For(layer1.Raw).Offset);
        var ring2 = DetId.AllModules.First(d => d.IsFPix && d.Ring == 2);
        Assert.Equal((double)(float)(47 * 1.0914), table.For(ring2.Raw).Slope, 5);
        Assert.Equal(1856, table.Count);
    }
}
