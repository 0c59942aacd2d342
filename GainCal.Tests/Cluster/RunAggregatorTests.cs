using GainCal.Cluster;

namespace GainCal.Tests.Cluster;

public class RunAggregatorTests
{
    [Fact]
    public void A_missing_or_changed_fed_table_names_the_resubmit_that_recomputes_it()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "1201.parquet");
        var stats = new PixelStatsBuilder().Build(0);
        var missing = new MergeRunResults(400004, dir.Path, [new FedResultRef(1201, path, "00", stats)], [], []);
        var e = Assert.Throws<InvalidDataException>(() => RunAggregator.VerifyInputs(missing));
        Assert.StartsWith("FED 1201: ", e.Message);
        Assert.EndsWith("; recompute it with gaincal resubmit 400004 --fed 1201 --force", e.Message);

        File.WriteAllText(path, "changed");
        e = Assert.Throws<InvalidDataException>(() => RunAggregator.VerifyInputs(missing));
        Assert.StartsWith($"{path}: checksum ", e.Message);
        Assert.EndsWith("; recompute it with gaincal resubmit 400004 --fed 1201 --force", e.Message);

        RunAggregator.VerifyInputs(missing with { Results = [new FedResultRef(1201, path, FileChecksum.Of(path), stats)] });
    }
}
