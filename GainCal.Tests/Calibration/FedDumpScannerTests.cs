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

    [Fact]
    public void An_entry_counter_that_wraps_at_256_keeps_its_pixel_and_its_32_bit_sums()
    {
        const int fed = 1296;
        var roc = Setup.Cabling.ForFed(fed).Rocs[3];
        using var dir = new TempDirectory();
        var path = dir.File($"GainCalibration_{fed}_2.dmp");
        using (var writer = new DumpWriter(path, 2))
        {
            // Pattern 0: the pixel (row 0, column 8) is hit 52 times in each event of VCal point 0 (5 events, 260 hits:
            // the 8-bit counter wraps to 4) and once in each event of point 1; another pixel once in every event.
            for (uint e = 0; e < 145; e++)
            {
                var point = Setup.Pattern.VCalIndexOf(e);
                var words = new List<uint> { PixelWord.EncodeHit(roc.Link, roc.Roc, 0, 4, 20, roc.IsLayer1) };
                if (point <= 1) words.AddRange(Enumerable.Repeat(PixelWord.EncodeHit(roc.Link, roc.Roc, 0, 8, 200, roc.IsLayer1), point == 0 ? 52 : 1));
                writer.WriteEvent(e + 1, fed, words.ToArray());
            }
        }

        using var scanner = new FedDumpScanner(path, Setup);
        Assert.True(scanner.TryReadPattern(out var curves));
        Assert.Equal(2, curves.PixelCount);
        var k = Enumerable.Range(0, 2).Single(i => curves.RocCol[i] == 8);
        var at = k * curves.PointCount;
        Assert.Equal(4, curves.Entries[at]);
        Assert.Equal(260u * 200, curves.Sums[at]);
        Assert.Equal(260u * 200 * 200, curves.SumSquares[at]);
        Assert.Equal(5, curves.Entries[at + 1]);
        Assert.Equal(0, curves.Entries[at + 2]);
        Assert.Equal(145 + 265, scanner.Counters.Hits);
    }
}
