using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Hosting;
using GainCal.Cluster;
using GainCal.Operations;

namespace GainCal.Tests.Cluster;

/// <summary>What `gaincal runs` says of the worker nodes: the coordinator's own view of where FEDs can go.</summary>
public class RunCoordinatorWorkersTests() : Akka.TestKit.Xunit.TestKit(ConfigurationFactory.ParseString(RunCoordinatorSnapshotTests.CoordinatorSystem))
{
    [Fact]
    public void Runs_list_each_worker_with_its_slots_and_the_FEDs_placed_on_it()
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.State.Members.Any(m => m.Status == MemberStatus.Up), TimeSpan.FromSeconds(20));
        var registry = new ActorRegistry();
        var feds = CreateTestProbe();
        registry.Register<FedRegion>(feds.Ref);
        registry.Register<RunAggregatorRegion>(CreateTestProbe().Ref);
        var coordinator = Sys.ActorOf(Props.Create(() => new RunCoordinator(registry)));
        var node = NodeName.Of(cluster.SelfAddress);

        WorkerSlotsView[] Workers()
        {
            coordinator.Tell(new ListRuns(false));
            return ExpectMsg<RunList>().Workers;
        }

        // A member that has not told its slots yet gets no FED, and says so.
        AwaitAssert(() => Assert.Equal([new WorkerSlotsView(node, 0, 0)], Workers()), TimeSpan.FromSeconds(10));
        Assert.StartsWith($"FED slots: {node} none yet", GainCalRuns.SlotsLine(Workers()));

        coordinator.Tell(new NodeSlots(node, 2));
        coordinator.Tell(new CreateRun(1, "/in", "/out/GainRun_1", null, null, false, [1200, 1201, 1202], []));
        Assert.True(ExpectMsg<CommandResult>().Ok);
        coordinator.Tell(new SubmitRun(1));
        Assert.True(ExpectMsg<CommandResult>().Ok);
        // Two slots: two FEDs placed on the node, the third waits.
        feds.ExpectMsg<StartFed>();
        feds.ExpectMsg<StartFed>();
        feds.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal([new WorkerSlotsView(node, 2, 2)], Workers());
        Assert.Equal($"FED slots: {node} 2 of 2 busy", GainCalRuns.SlotsLine(Workers()));
        Assert.Equal(1, GainCalRuns.NodesWithSlots(GainCalRuns.SlotsLine(Workers())));
        Assert.Equal(1, GainCalRuns.NodesWithSlots(GainCalRuns.SlotsLine([new WorkerSlotsView("a:1", 0, 0), new WorkerSlotsView("b:1", 1, 0)])));
    }
}
