using GainCal.Calibration;
using GainCal.Tests.Reports;
using GainCal.Tests.Storage;

namespace GainCal.Tests.Calibration;

/// <summary>A pixel's curve read from a dump on XRootD (real server on 127.0.0.1): the same window, the same sums and fit
/// as from the local file.</summary>
[Trait("Category", "Slow")]
public class PixelCurveReaderXRootDTests
{
    [Fact]
    public async Task A_pixel_of_a_dump_on_xrootd_reads_as_from_the_local_file()
    {
        var (dir, dump, table, _) = PixelCurveReaderTests.Calibrated();
        using var _d = dir;
        await using var server = await XRootDTestServer.StartAsync();
        server.Put("in/GainCalibration_1200_9.dmp", File.ReadAllBytes(dump));
        var url = server.Url("in/GainCalibration_1200_9.dmp");
        var setup = FedCalibrationSetup.Default;
        var index = PatternIndex.Read(dir.File("out/fed/1200.patterns"), setup.Pattern.PatternCount);
        var rows = Enumerable.Range(0, table.RowCount).Select(i => table[i]).Where(r => r.Status != 0).ToList();
        foreach (var row in rows.Where((_, k) => k % 97 == 0).Take(8))
        {
            var pixel = PixelCurveReader.Locate(setup, row.Fed, row.Link, row.Roc, row.RocRow, row.RocCol);
            var local = PixelCurveReader.Read(dump, index, setup, pixel);
            var remote = PixelCurveReader.Read(url, index, setup, pixel);
            Assert.Equal(local.Points, remote.Points);
            Assert.Equal(local.Fit, remote.Fit);
            Assert.Equal((local.WindowStart, local.WindowBytes, local.Events), (remote.WindowStart, remote.WindowBytes, remote.Events));
            Assert.Equal(row.Gain, remote.Fit.Gain);
        }

        var first = rows.First(r => r.Status == 1);
        var address = $"{first.Fed}/{first.Link}/{first.Roc}/{first.RocRow}/{first.RocCol}";
        var fromUrl = ReportCommandTests.Gaincal("pixel", dir.File("out"), address, "--dump", url, "-o", dir.File("remote"));
        Assert.True(fromUrl.Code == 0, fromUrl.Err);
        var fromFile = ReportCommandTests.Gaincal("pixel", dir.File("out"), address, "-o", dir.File("local"));
        Assert.True(fromFile.Code == 0, fromFile.Err);
        var name = $"pixel_{first.Fed}_{first.Link}_{first.Roc}_{first.RocRow}_{first.RocCol}.csv";
        Assert.Equal(File.ReadAllText(dir.File($"local/{name}")), File.ReadAllText(dir.File($"remote/{name}")));

        // A dump of another length than the index was written for is refused naming the URL.
        server.Put("in/short.dmp", File.ReadAllBytes(dump)[..4096]);
        var wrong = ReportCommandTests.Gaincal("pixel", dir.File("out"), address, "--dump", server.Url("in/short.dmp"));
        Assert.Equal(1, wrong.Code);
        Assert.Contains("in/short.dmp: 4096 bytes, but the pattern index was written for a dump of", wrong.Err);
    }
}
