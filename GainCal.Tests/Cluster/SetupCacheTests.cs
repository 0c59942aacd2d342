using GainCal.Cluster;

namespace GainCal.Tests.Cluster;

public class SetupCacheTests
{
    [Fact]
    public void A_table_that_failed_to_load_is_read_again_once_fixed()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "vcal.txt");
        File.WriteAllText(path, "hello world\n");
        var e = Assert.Throws<InvalidDataException>(() => SetupCache.For(path));
        Assert.Equal($"{path}: line 1: expected 'detid slope offset', got 2 fields", e.Message);

        File.WriteAllText(path, "303054860 47.5 -60\n");
        var setup = SetupCache.For(path);
        Assert.Equal(1, setup.VCal.Count);
        Assert.Equal(47.5, setup.VCal.For(303054860).Slope);
        Assert.Same(setup, SetupCache.For(path));
    }

    [Fact]
    public void A_table_replaced_in_place_is_read_again()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "vcal.txt");
        File.WriteAllText(path, "303054860 47.5 -60\n");
        Assert.Equal(47.5, SetupCache.For(path).VCal.For(303054860).Slope);

        File.WriteAllText(path, "303054860 50.25 -60\n");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        Assert.Equal(50.25, SetupCache.For(path).VCal.For(303054860).Slope);
    }
}
