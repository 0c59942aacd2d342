using GainCal.Calibration;

namespace GainCal.Tests.Calibration;

public class CalibrationPatternTests
{
    private static readonly CalibrationPattern P = CalibrationPattern.Default;

    [Fact]
    public void Default_is_the_production_sequence()
    {
        Assert.Equal(29, P.PointCount);
        Assert.Equal(6, P.VCalValues[0]);
        Assert.Equal(160, P.VCalValues[28]);
        Assert.Equal(5, P.Repeat);
        Assert.Equal(9, P.ColumnGroups.Count);
        Assert.Equal(80, P.RowGroups.Count);
        Assert.Equal(145, P.EventsPerPattern);
        Assert.Equal(720, P.PatternCount);
        Assert.Equal(104_400, P.ExpectedEvents);
        Assert.Equal(6, P.MaxPixelsPerRoc);
        Assert.Equal(new[] { 39, 43, 47, 51 }, P.ColumnGroups[8]);
    }

    [Theory]
    [InlineData(0L, 0, 0)]
    [InlineData(4L, 0, 0)]
    [InlineData(5L, 0, 1)]
    [InlineData(144L, 0, 28)]
    [InlineData(145L, 1, 0)]
    [InlineData(104_399L, 719, 28)]
    [InlineData(104_400L, 720, 0)]
    public void Event_maps_to_pattern_and_vcal_point(long e, int pattern, int vcal)
    {
        Assert.Equal(pattern, P.PatternOf(e));
        Assert.Equal(vcal, P.VCalIndexOf(e));
    }

    [Fact]
    public void Every_event_of_the_run_follows_the_reference_arithmetic()
    {
        for (long e = 0; e < P.ExpectedEvents; e++)
        {
            // SiPixelCalibConfiguration with the 1-based counter k = e + 1.
            long k = e + 1;
            Assert.Equal((int)((k - 1) / 145), P.PatternOf(e));
            Assert.Equal((int)((k - 1) % 145 / 5), P.VCalIndexOf(e));
        }
    }

    [Fact]
    public void Every_roc_pixel_is_injected_in_exactly_one_pattern()
    {
        var seen = new int[80, 52];
        for (int p = 0; p < P.PatternCount; p++)
        {
            int n = P.PixelsInPattern(p);
            Assert.Equal(p % 9 == 8 ? 4 : 6, n);
            for (int s = 0; s < n; s++)
            {
                var (row, col) = P.PixelOfSlot(p, s);
                Assert.Equal(p / 9, row);
                Assert.Equal(s, P.SlotOf(p, row, col));
                seen[row, col]++;
            }
            int injected = 0;
            for (int r = 0; r < 80; r++)
                for (int c = 0; c < 52; c++)
                    if (P.SlotOf(p, r, c) >= 0) injected++;
            Assert.Equal(n, injected);
        }
        foreach (var count in seen) Assert.Equal(1, count);
    }

    [Fact]
    public void Pattern_zero_injects_row_zero_in_the_first_column_group()
    {
        Assert.Equal((0, 0), P.PixelOfSlot(0, 0));
        Assert.Equal((0, 20), P.PixelOfSlot(0, 5));
        Assert.Equal(-1, P.SlotOf(0, 0, 1));
        Assert.Equal(-1, P.SlotOf(0, 1, 0));
        Assert.Equal(-1, P.SlotOf(720, 0, 0));
        Assert.Equal(-1, P.SlotOf(0, 80, 0));
        Assert.Equal(1, P.SlotOf(10, 1, 28));
    }

    [Fact]
    public void Json_round_trip_keeps_default_and_override()
    {
        var custom = new CalibrationPattern([10, 50, 100, 200], 3, [[0, 13, 26, 39], [1, 14]], [[0, 40], [1, 41]]);
        foreach (var pattern in new[] { P, custom })
        {
            var path = Path.Combine(Path.GetTempPath(), $"pattern-{Guid.NewGuid():N}.json");
            try
            {
                pattern.Save(path);
                var back = CalibrationPattern.Load(path);
                Assert.Equal(pattern.VCalValues, back.VCalValues);
                Assert.Equal(pattern.Repeat, back.Repeat);
                Assert.Equal(pattern.ColumnGroups.Select(g => g.ToArray()), back.ColumnGroups.Select(g => g.ToArray()));
                Assert.Equal(pattern.RowGroups.Select(g => g.ToArray()), back.RowGroups.Select(g => g.ToArray()));
            }
            finally { File.Delete(path); }
        }
        Assert.Equal(4, custom.PatternCount);
        Assert.Equal(8, custom.MaxPixelsPerRoc);
        Assert.Equal((41, 14), custom.PixelOfSlot(3, 3));
        Assert.Equal(3, custom.SlotOf(3, 41, 14));
        Assert.Equal(2, custom.VCalIndexOf(7));
    }

    [Theory]
    [InlineData("{", "invalid calibration pattern JSON")]
    [InlineData("""{"vcalValues":[1,2],"repeat":5,"columnGroups":[[0,60]],"rowGroups":[[0]]}""", "columnGroups[0] contains 60")]
    [InlineData("""{"vcalValues":[1,2],"columnGroups":[[0]],"rowGroups":[[0]]}""", "missing \"repeat\"")]
    [InlineData("""{"vcalValues":[],"repeat":5,"columnGroups":[[0]],"rowGroups":[[0]]}""", "vcalValues is empty")]
    [InlineData("""{"vcalValues":[1],"repeat":0,"columnGroups":[[0]],"rowGroups":[[0]]}""", "repeat must be >= 1")]
    [InlineData("""{"vcalValues":[1],"repeat":5,"columnGroups":[[0,0]],"rowGroups":[[0]]}""", "columnGroups[0] contains 0 twice")]
    [InlineData("""{"vcalValues":[1],"repeat":5,"columnGroups":[[0]],"rowGroups":[[0]],"rows":1}""", "invalid calibration pattern JSON")]
    public void Bad_json_names_file_and_problem(string json, string problem)
    {
        var path = Path.Combine(Path.GetTempPath(), $"bad-pattern-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => CalibrationPattern.Load(path));
            Assert.StartsWith(path + ": ", e.Message);
            Assert.Contains(problem, e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Missing_file_is_a_clear_error()
    {
        var path = Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}.json");
        var e = Assert.Throws<InvalidDataException>(() => CalibrationPattern.Load(path));
        Assert.StartsWith(path + ": cannot read", e.Message);
    }
}
