using GainCal.Calibration;
using GainCal.Detector;
using GainCal.Dump;
using GainCal.Results;
using GainCal.Simulation;

namespace GainCal.Tests.Results;

/// <summary>What a FED's outcome says about how whole and clean its dump was read, on simulated dumps with planted faults.</summary>
public class FedReadHealthTests(ITestOutputHelper output)
{
    private static readonly FedCalibrationSetup Setup = FedCalibrationSetup.Default;

    [Fact]
    public void A_clean_dump_has_no_warning_and_its_counts_are_whole()
    {
        using var dir = new TempDirectory();
        var path = dir.File("GainCalibration_1296_2.dmp");
        FedSimulator.Write(path, 1296, Setup, new SimulationOptions { Run = 2, Seed = 4, RocsPerFed = 2 });
        var h = new FedPipeline(Setup).Run(path).Health;

        Assert.Equal([], h.Warnings);
        Assert.Equal((104400L, 104400L, false, 0L, 0L, 0L, 0L, 0L, 0L, 0, ""),
            (h.EventsExpected, h.EventsRead, h.Truncated, h.L1IdGaps, h.EventsMissing, h.Duplicates, h.Resyncs, h.InvalidAddresses,
                h.OffPatternHits, h.ShiftedPatterns, h.ErrorWords));
    }

    /// <summary>Faithful mode: every pattern from the first missing event on is fitted with shifted events. The first gap's
    /// pattern and all later ones (those that end, i.e. all but the incomplete last one) are counted.</summary>
    [Fact]
    public void Missing_events_say_how_many_patterns_and_pixels_the_shift_reaches()
    {
        using var dir = new TempDirectory();
        var path = dir.File("GainCalibration_1296_5.dmp");
        FedSimulator.Write(path, 1296, Setup, new SimulationOptions { Run = 5, Seed = 8, RocsPerFed = 2, MissingEvents = 2 });
        var outcome = new FedPipeline(Setup).Run(path);
        var h = outcome.Health;

        var firstGap = FirstL1IdGap(path);
        var pattern = Setup.Pattern;
        // The first event placed wrongly is the one after the gap; its pattern and every later fitted pattern are shifted.
        var firstShiftedPattern = pattern.PatternOf(firstGap);
        Assert.Equal(outcome.Progress.PatternsFitted - firstShiftedPattern, h.ShiftedPatterns);
        var shiftedPixels = new HashSet<(int, int)>();
        for (var p = firstShiftedPattern; p < outcome.Progress.PatternsFitted; p++)
            for (var slot = 0; slot < pattern.PixelsInPattern(p); slot++)
                shiftedPixels.Add(pattern.PixelOfSlot(p, slot));
        // A pixel with data (status not 0) was hit in its pattern; every ROC plants the same pattern pixels.
        var shiftedRows = outcome.Table.Rows().Count(r => r.Status != 0 && shiftedPixels.Contains((r.RocRow, r.RocCol)));
        Assert.Equal(shiftedRows, h.ShiftedPixels);
        Assert.Equal((2L, 2L), (h.L1IdGaps, h.EventsMissing));
        Assert.Contains(h.Warnings, w => w.Contains($"{h.ShiftedPatterns:N0} patterns, {h.ShiftedPixels:N0} pixels", StringComparison.Ordinal));
        Assert.Contains("--realign-events", h.Warnings[0]);
    }

    /// <summary>Beyond the reference: placed by L1ID, a dump with missing events gives back the planted gains as well as
    /// the clean dump does; in reading order (the reference's way) it does clearly worse. Figures in docs/calibration-engine.md.</summary>
    [Fact]
    public void Realigned_events_recover_truth_as_well_as_a_clean_dump_and_reading_order_does_not()
    {
        using var dir = new TempDirectory();
        var options = new SimulationOptions { Run = 6, Seed = 21, RocsPerFed = 4 };
        var cleanPath = dir.File("clean/GainCalibration_1296_6.dmp");
        var gappedPath = dir.File("gapped/GainCalibration_1296_6.dmp");
        var truth = FedSimulator.Write(cleanPath, 1296, Setup, options);
        FedSimulator.Write(gappedPath, 1296, Setup, options with { MissingEvents = 3 });

        var realign = Setup with { RealignEvents = true };
        var clean = new FedPipeline(Setup).Run(cleanPath);
        var faithful = new FedPipeline(Setup).Run(gappedPath);
        var realigned = new FedPipeline(realign).Run(gappedPath);
        var cleanError = MedianGainError(clean.Table, truth);
        var faithfulError = MedianGainError(faithful.Table, truth);
        var realignedError = MedianGainError(realigned.Table, truth);
        output.WriteLine($"median |gain error| vs truth: clean {cleanError:P3}, gapped in reading order {faithfulError:P3}, gapped realigned {realignedError:P3}");
        output.WriteLine($"patterns fitted: clean {clean.Progress.PatternsFitted}, reading order {faithful.Progress.PatternsFitted}, realigned {realigned.Progress.PatternsFitted}");

        Assert.Equal(720, realigned.Progress.PatternsFitted);
        Assert.InRange(realignedError, 0, cleanError * 1.05 + 1e-4);
        Assert.True(faithfulError > 2 * cleanError, $"reading order {faithfulError:P3} vs clean {cleanError:P3}");
        Assert.True(realigned.Health.Realigned);
        Assert.Equal(0, realigned.Health.ShiftedPatterns);
        Assert.Equal(3L, realigned.Health.EventsMissing); // still a warning: the events are missing, only not misplaced

        // On a clean dump, placing by L1ID changes nothing.
        Assert.True(clean.Table.ContentEquals(new FedPipeline(realign, new FedPipelineOptions { Decoders = 3 }).Run(cleanPath).Table));
    }

    /// <summary>The synthetic map with one BPix layer-1 module of FED 1200 swapped with a layer-2 module: its links are decoded
    /// with the layer 2-4 word layout, as the mismatched cabling did.</summary>
    [Fact]
    public void A_cabling_that_does_not_fit_a_link_names_the_link_and_the_layout_that_fits()
    {
        using var dir = new TempDirectory();
        var path = dir.File("GainCalibration_1200_9.dmp");
        FedSimulator.Write(path, 1200, Setup, new SimulationOptions { Run = 9, Seed = 2, RocsPerFed = 4 });
        var map = Setup.Cabling;
        var layer1 = map.ForFed(1200).Rocs[0];
        Assert.True(layer1.IsLayer1);
        var all = map.Feds.SelectMany(f => map.ForFed(f).Rocs).ToList();
        var layer2 = all.First(r => r.DetId.IsBPix && r.DetId.Layer == 2).DetId;
        var swapped = new CablingMap(all.Select(r =>
            r.DetId == layer1.DetId ? r with { DetId = layer2 } : r.DetId == layer2 ? r with { DetId = layer1.DetId } : r));
        var links = map.ForFed(1200).Rocs.Take(4).Select(r => r.Link).Distinct().ToArray();

        var clean = new FedPipeline(Setup).Run(path).Health;
        var mismatched = new FedPipeline(Setup with { Cabling = swapped }).Run(path).Health;

        Assert.Equal([], clean.Warnings);
        Assert.True(mismatched.InvalidAddresses + mismatched.OffPatternHits > 0);
        foreach (var link in links)
            Assert.Contains(mismatched.Warnings, w => w.Contains($"link {link} looks like a layer-1 link", StringComparison.Ordinal)
                                                       && w.Contains("GainCalibration_1200_9.dmp: FED 1200: ", StringComparison.Ordinal));
        output.WriteLine(string.Join('\n', mismatched.Warnings));
    }

    [Fact]
    public void Error_words_are_counted_by_type_per_link()
    {
        using var dir = new TempDirectory();
        var path = dir.File("GainCalibration_1296_3.dmp");
        using (var writer = new DumpWriter(path, 3))
        {
            for (uint e = 1; e <= 10; e++)
            {
                uint[] words = e <= 4
                    ? [PixelWord.EncodeSpecial(3, RocField.Timeout), PixelWord.EncodeSpecial(3, RocField.Gap), PixelWord.EncodeSpecial(7, RocField.FifoFull)]
                    : e == 5 ? [PixelWord.EncodeSpecial(3, RocField.EventNumberError), PixelWord.EncodeSpecial(12, RocField.TbmTrailer)]
                    : [PixelWord.EncodeSpecial(3, RocField.Dummy)];
                writer.WriteEvent(e, 1296, words);
            }
        }
        var outcome = new FedPipeline(Setup).Run(path);

        Assert.Equal("link 3 timeout 4, ENE 1; link 7 FIFO full 4; link 12 TBM error 1", outcome.Health.ErrorWords);
        Assert.Contains("error words: link 3 timeout 4, ENE 1; link 7 FIFO full 4; link 12 TBM error 1", outcome.Report);
        Assert.Contains(outcome.Health.Warnings, w => w.Contains("10 error words", StringComparison.Ordinal));
    }

    private static long FirstL1IdGap(string path)
    {
        using var reader = new DumpReader(File.OpenRead(path), path);
        long previous = -1;
        while (reader.TryReadEvent(out var ev))
        {
            if (previous >= 0 && ev.L1Id != previous + 1) return ev.Index;
            previous = ev.L1Id;
        }
        throw new InvalidOperationException("no gap");
    }

    private static double MedianGainError(PixelTable table, FedTruth truth)
    {
        var cabling = Setup.Cabling.ForFed(truth.Fed);
        var errors = new List<double>();
        foreach (var row in table.Rows())
        {
            var rocIndex = cabling.RocIndex(row.Link, row.Roc);
            if (rocIndex >= truth.RocCount || row.Status != 1) continue;
            var t = FedTruth.IndexOf(rocIndex, row.RocRow, row.RocCol);
            if (truth.Kind[t] == PixelKind.Normal) errors.Add(Math.Abs(row.Gain - truth.Gain[t]) / truth.Gain[t]);
        }
        errors.Sort();
        return errors[errors.Count / 2];
    }
}
