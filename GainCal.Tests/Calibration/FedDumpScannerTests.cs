using GainCal.Calibration;
using GainCal.Dump;

namespace GainCal.Tests.Calibration;

public class FedDumpScannerTests
{
    private static readonly FedCalibrationSetup Setup = FedCalibrationSetup.Default;

    [Fact]
    public void Hits_on_uncabled_link_and_ROC_fillers_and_other_patterns_pixels_are_counted_and_never_accumulated()
    {
        const int fed = 1200;
        var cabling = Setup.Cabling.ForFed(fed);
        var cabled = cabling.Rocs[0];
        var uncabledLink = Enumerable.Range(1, 48).First(link => cabling.RocIndex(link, 1) < 0);
        using var dir = new TempDirectory();
        var path = dir.File($"GainCalibration_{fed}_2.dmp");
        using (var writer = new DumpWriter(path, 2))
        {
            // One pattern (145 events): pattern 0 injects ROC row 0, columns 0, 4, ..., 20.
            for (uint e = 0; e < 145; e++)
            {
                uint[] words =
                [
                    PixelWord.EncodeHit(cabled.Link, cabled.Roc, 0, 4, 100, cabled.IsLayer1),
                    PixelWord.EncodeHit(uncabledLink, 1, 0, 4, 100, false),
                    PixelWord.EncodeHit(cabled.Link, cabled.Roc, 5, 5, 100, cabled.IsLayer1),
                    PixelWord.EncodeSpecial(cabled.Link, RocField.Gap),
                ];
                writer.WriteEvent(e + 1, fed, words);
            }
        }

        using var scanner = new FedDumpScanner(path, Setup);
        Assert.True(scanner.TryReadPattern(out var curves));
        Assert.Equal(1, curves.PixelCount);
        Assert.Equal((0, 0, 4), ((int)curves.RocIndex[0], (int)curves.RocRow[0], (int)curves.RocCol[0]));
        Assert.Equal(145u, curves.Sums.Sum(s => s) / 100);
        Assert.False(scanner.TryReadPattern(out _));

        var c = scanner.Counters;
        Assert.Equal(145, c.Hits);
        Assert.Equal(145, c.UnknownRocHits);
        Assert.Equal(145, c.OutOfPatternHits);
        Assert.Equal(145, c.Special(RocField.Gap));
        Assert.Contains((uncabledLink, 1), c.UnknownRocs);
        Assert.Contains($"({uncabledLink}, 1)", scanner.ReportText);
    }
}
