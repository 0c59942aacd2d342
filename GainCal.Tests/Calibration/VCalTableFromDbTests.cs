using GainCal.Calibration;
using GainCal.Detector;
using GainCal.Payloads;
using GainCal.Payloads.Conditions;
using GainCal.Tests.Payloads.Conditions;

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
        Assert.Equal($"{path}: SiPixelVCal of tag SiPixelVCal_phase1_2025_v0, IOV since 1, boost archive version 18, 1856 modules", table.Origin);
    }

    [Fact]
    public void A_SiPixelVCal_payload_serialized_by_boost_itself_is_read()
    {
        using var dir = new TempDirectory();
        var path = dir.File("cms.db");
        // The DATA of this file was written by Boost.Serialization 1.74 with CMSSW's archive (../shared/condb).
        ConditionsDb.WriteSingleIov(path, "SiPixelVCal_from_cms", VCalDb.ObjectType, ReferenceBlobs.Read("tiny_vcal.bin"), "");
        var table = VCalTable.Load(path);
        Assert.Equal(2, table.Count);
        Assert.Equal(new VCalConversion(45.7f, -308f), table.For(303042564));
        Assert.Equal(new VCalConversion(47f, -60f), table.For(344200196));
        Assert.Equal(VCalConversion.Default, table.For(DetId.BPix(2, 1, 1).Raw));
    }

    [Fact]
    public void A_conditions_file_of_another_class_or_a_broken_payload_is_one_error_naming_the_file()
    {
        using var dir = new TempDirectory();
        var cabling = dir.File("cabling.db");
        ConditionsDb.WriteSingleIov(cabling, "cabling", "SiPixelFedCablingMap", ReferenceBlobs.Read("tiny_cabling.bin"), "");
        var e = Assert.Throws<InvalidDataException>(() => VCalTable.Load(cabling));
        Assert.Equal($"{cabling}: tag cabling holds SiPixelFedCablingMap, expected SiPixelVCal", e.Message);

        var broken = dir.File("broken.db");
        ConditionsDb.WriteSingleIov(broken, "v", VCalDb.ObjectType, ReferenceBlobs.Read("tiny_vcal.bin")[..30], "");
        e = Assert.Throws<InvalidDataException>(() => VCalTable.Load(broken));
        Assert.StartsWith($"{broken}: SiPixelVCal: at byte 30 of the archive: expected ", e.Message);
    }
}
