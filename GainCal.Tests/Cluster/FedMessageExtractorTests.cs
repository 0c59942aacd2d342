using GainCal.Cluster;
using GainCal.Detector;

namespace GainCal.Tests.Cluster;

public class FedMessageExtractorTests
{
    [Fact]
    public void Consecutive_feds_of_a_run_fall_in_consecutive_shards_and_both_routes_agree()
    {
        var extractor = new FedMessageExtractor();
        var shards = new List<string>();
        foreach (var fed in PixelFeds.All.Take(FedMessageExtractor.MaxShards + 2))
        {
            var start = new StartFed(new FedJob(400001, fed, "/in/x.dmp", "/out", null), 1, false);
            var shard = extractor.ShardId(start)!;
            Assert.Equal(shard, extractor.ShardId(extractor.EntityId(start)!));
            Assert.Equal(shard, extractor.ShardId(new FedEndedAck(7, fed, 1)));
            shards.Add(shard);
        }
        Assert.Equal(Enumerable.Range(0, FedMessageExtractor.MaxShards).Select(i => i.ToString()).Concat(["0", "1"]), shards);
        Assert.Null(extractor.ShardId((object)"not a FED message"));
    }
}
