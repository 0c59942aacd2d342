using GainCal.Cluster;

namespace GainCal.Tests.Cluster;

public class SetupCacheTests
{
    static PathConfinement Paths(TempDir dir) => new([dir.Path]);

    [Fact]
    public void A_table_reached_through_a_link_outside_the_roots_is_refused()
    {
        using var dir = new TempDir();
        using var outside = new TempDir();
        var table = Path.Combine(outside.Path, "vcal.txt");
        File.WriteAllText(table, "303054860 47.5 -60\n");
        var link = Path.Combine(dir.Path, "vcal.txt");
        File.CreateSymbolicLink(link, table);
        var e = Assert.Throws<PathOutsideRootsException>(() => SetupCache.For(link, Paths(dir)));
        Assert.Equal($"{link} (it resolves to {table}) is outside this node's allowed data roots ({dir.Path})", e.Message);
    }

    [Fact]
    public void A_table_that_failed_to_load_is_read_again_once_fixed()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "vcal.txt");
        File.WriteAllText(path, "hello world\n");
        var e = Assert.Throws<InvalidDataException>(() => SetupCache.For(path, Paths(dir)));
        Assert.Equal($"{path}: line 1: expected 'detid slope offset', got 2 fields", e.Message);

        File.WriteAllText(path, "303054860 47.5 -60\n");
        var setup = SetupCache.For(path, Paths(dir));
        Assert.Equal(1, setup.VCal.Count);
        Assert.Equal(47.5, setup.VCal.For(303054860).Slope);
        Assert.Same(setup, SetupCache.For(path, Paths(dir)));
    }

    [Fact]
    public void A_table_replaced_in_place_is_read_again()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "vcal.txt");
        File.WriteAllText(path, "303054860 47.5 -60\n");
        Assert.Equal(47.5, SetupCache.For(path, Paths(dir)).VCal.For(303054860).Slope);

        File.WriteAllText(path, "303054860 50.25 -60\n");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        Assert.Equal(50.25, SetupCache.For(path, Paths(dir)).VCal.For(303054860).Slope);
    }
}
