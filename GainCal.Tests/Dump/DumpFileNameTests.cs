using GainCal.Dump;

namespace GainCal.Tests.Dump;

public class DumpFileNameTests
{
    [Fact]
    public void Parses_reference_name_with_directory()
    {
        Assert.True(DumpFileName.TryParse("/eos/Run_11169/GainCalibration_1205_11169.dmp", out var n));
        Assert.Equal(new DumpFileName(1205, 11169), n);
    }

    [Fact]
    public void Formats_reference_name() => Assert.Equal("GainCalibration_1296_500000.dmp", new DumpFileName(1296, 500000).FileName);

    [Theory]
    [InlineData("GainCalibration_1205.dmp")]
    [InlineData("GainCalibration_1205_11169.root")]
    [InlineData("GainCalibration__11169.dmp")]
    [InlineData("GainCalibration_12a5_11169.dmp")]
    [InlineData("GainCalibration_-1_11169.dmp")]
    [InlineData("GainCalibration_5000_11169.dmp")]
    [InlineData("gaincalibration_1205_11169.dmp")]
    [InlineData("GainCalibration_1205_99999999999.dmp")]
    public void Rejects(string name)
    {
        Assert.False(DumpFileName.TryParse(name, out var n));
        Assert.Null(n);
    }
}
