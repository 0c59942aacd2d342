using GainCal.Storage;

namespace GainCal.Tests.Storage;

public class StorageOutageTests
{
    static StorageException Down() => new("root://127.0.0.1:1//run/x.dmp", StorageFailure.ServerUnreachable, "no XRootD server answers");

    [Fact]
    public void Work_that_met_an_outage_is_started_again_until_it_succeeds()
    {
        var tries = 0;
        var waits = new List<string>();
        var result = StorageOutage.Run(() => ++tries < 3 ? throw new InvalidDataException("wrapped", Down()) : tries,
            TimeSpan.FromMinutes(1), CancellationToken.None, (e, _) => waits.Add(e.Location));
        Assert.Equal(3, result);
        Assert.Equal(["root://127.0.0.1:1//run/x.dmp", "root://127.0.0.1:1//run/x.dmp"], waits);
    }

    [Fact]
    public void Other_failures_and_outages_longer_than_the_window_fail()
    {
        var tries = 0;
        var missing = new StorageException("root://h//x.dmp", StorageFailure.NotFound, "no such file or directory");
        Assert.Same(missing, Assert.Throws<StorageException>(() => StorageOutage.Run<int>(() => { tries++; throw missing; }, TimeSpan.FromMinutes(1), CancellationToken.None)));
        Assert.Equal(1, tries);
        var e = Assert.Throws<StorageException>(() => StorageOutage.Run<int>(() => throw Down(), TimeSpan.Zero, CancellationToken.None));
        Assert.StartsWith("root://127.0.0.1:1//run/x.dmp: the storage stayed unreachable for 0 s", e.Message);
        Assert.True(e.IsTransient);
    }
}
