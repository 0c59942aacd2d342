using Akka.Actor;
using Akka.Cluster.Sharding;
using GainCal.Cluster;

namespace GainCal.Tests.Cluster;

public class FedSlotsTests : Akka.TestKit.Xunit.TestKit
{
    [Fact]
    public void At_most_max_holders_and_the_waiting_get_freed_slots_in_arrival_order()
    {
        var coordinator = CreateTestProbe();
        var region = CreateTestProbe();
        var slots = Sys.ActorOf(Props.Create(() => new FedSlots(2, "127.0.0.1:4053", () => coordinator.Ref, () => region.Ref)));
        // The node says how many slots it has, so that the coordinator places FEDs only where one is free; but only once
        // sharding knows its FED region (a FED placed before would have no way in).
        region.ExpectMsg<GetCurrentRegions>();
        region.Reply(new CurrentRegions([Address.Parse("akka.tcp://gaincal@127.0.0.1:4054")]));
        coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        region.ExpectMsg<GetCurrentRegions>(TimeSpan.FromSeconds(5));
        region.Reply(new CurrentRegions([Address.Parse("akka.tcp://gaincal@127.0.0.1:4053")]));
        Assert.Equal(new NodeSlots("127.0.0.1:4053", 2), coordinator.ExpectMsg<NodeSlots>());
        var probes = Enumerable.Range(0, 4).Select(_ => CreateTestProbe()).ToArray();
        foreach (var p in probes) slots.Tell(new RequestFedSlot(), p.Ref);
        probes[0].ExpectMsg<FedSlotGranted>();
        probes[1].ExpectMsg<FedSlotGranted>();
        probes[2].ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        probes[3].ExpectNoMsg(TimeSpan.FromMilliseconds(50));

        slots.Tell(new RequestFedSlot(), probes[0].Ref);   // asking again while holding changes nothing
        probes[0].ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        slots.Tell(new ReleaseFedSlot(), probes[1].Ref);
        probes[2].ExpectMsg<FedSlotGranted>();
        probes[3].ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        // A holder that dies (crash, hand-off) gives its slot back.
        Sys.Stop(probes[0].Ref);
        probes[3].ExpectMsg<FedSlotGranted>();
    }
}
