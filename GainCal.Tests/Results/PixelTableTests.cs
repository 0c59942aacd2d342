using GainCal.Results;

namespace GainCal.Tests.Results;

public class PixelTableTests
{
    private static PixelTable Table(uint run, int fed, int rows, int seed)
    {
        var rng = new Random(seed);
        var t = new PixelTable(run, rows);
        for (var i = 0; i < rows; i++)
        {
            t.Fed[i] = (short)fed; t.Link[i] = (byte)(1 + i / 4160); t.Roc[i] = (byte)(1 + i % 3); t.RocRow[i] = (byte)(i % 80); t.RocCol[i] = (byte)(i % 52);
            t.DetId[i] = 303042564u + (uint)(i / 4160); t.ModuleRow[i] = (short)(i % 160); t.ModuleCol[i] = (short)(i % 416);
            t.Status[i] = (sbyte)(rng.Next(10) - 8); t.Gain[i] = (float)rng.NextDouble() * 300; t.Pedestal[i] = (float)rng.NextDouble() * 50 - 10;
            t.GainError[i] = (float)rng.NextDouble(); t.PedestalError[i] = (float)rng.NextDouble(); t.Chi2Ndf[i] = i % 7 == 0 ? float.PositiveInfinity : (float)rng.NextDouble() * 5;
            t.Probability[i] = i % 11 == 0 ? float.NaN : (float)rng.NextDouble(); t.Points[i] = (byte)rng.Next(30); t.Plateau[i] = 200 + (float)rng.NextDouble() * 55;
            t.LowMean[i] = (float)rng.NextDouble() * 40; t.HighMean[i] = 200 + (float)rng.NextDouble() * 55; t.LowPoint[i] = 1700; t.HighPoint[i] = (float)rng.NextDouble() * 40000;
        }
        return t;
    }

    [Fact]
    public void Write_then_read_gives_back_every_column_bit_for_bit()
    {
        using var dir = new TempDirectory();
        var t = Table(17, 1200, 9000, 1);
        t.Write(dir.File("fed/1200.parquet"));
        var back = PixelTable.Read(dir.File("fed/1200.parquet"));
        Assert.Equal(17u, back.Run);
        Assert.True(t.ContentEquals(back));
        Assert.Equal(t[8999], back[8999]);
        Assert.Empty(Directory.GetFiles(dir.File("fed"), "*.tmp-*"));
    }

    [Fact]
    public void ContentEquals_notices_a_single_changed_value()
    {
        var a = Table(1, 1200, 500, 2);
        var b = Table(1, 1200, 500, 2);
        Assert.True(a.ContentEquals(b));
        b.Pedestal[321] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(b.Pedestal[321]) + 1);
        Assert.False(a.ContentEquals(b));
    }

    [Fact]
    public void Merge_is_the_union_in_FED_order_and_MergeFiles_equals_it()
    {
        using var dir = new TempDirectory();
        var t1296 = Table(5, 1296, 4160, 3);
        var t1200 = Table(5, 1200, 8320, 4);
        var merged = PixelTable.Merge([t1296, t1200]);
        Assert.Equal(12480, merged.RowCount);
        Assert.Equal(1200, merged[0].Fed);
        Assert.Equal(t1200[8319], merged[8319]);
        Assert.Equal(t1296[0], merged[8320]);

        t1296.Write(dir.File("fed/1296.parquet"));
        t1200.Write(dir.File("fed/1200.parquet"));
        Assert.Equal(2, PixelTable.MergeFiles([dir.File("fed/1296.parquet"), dir.File("fed/1200.parquet")], dir.File("GainCalibration.parquet")));
        Assert.True(merged.ContentEquals(PixelTable.Read(dir.File("GainCalibration.parquet"))));
    }

    [Fact]
    public void Merge_refuses_the_same_FED_twice_and_different_runs()
    {
        Assert.Throws<InvalidOperationException>(() => PixelTable.Merge([Table(5, 1200, 10, 1), Table(5, 1200, 10, 2)]));
        Assert.Throws<InvalidOperationException>(() => PixelTable.Merge([Table(5, 1200, 10, 1), Table(6, 1201, 10, 2)]));
    }

    [Fact]
    public void Reading_a_file_that_is_not_a_table_names_the_file()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("junk.parquet"), "this is not parquet");
        var e = Assert.Throws<InvalidDataException>(() => PixelTable.Read(dir.File("junk.parquet")));
        Assert.Contains("junk.parquet", e.Message);
        Assert.Throws<FileNotFoundException>(() => PixelTable.Read(dir.File("missing.parquet")));
    }
}
