using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using GainCal.Cluster;

namespace GainCal.Tests.Cluster;

public class RunCoordinatorSnapshotTests() : Akka.TestKit.Xunit.TestKit(ConfigurationFactory.ParseString(CoordinatorSystem))
{
    /// <summary>An actor system for a run coordinator alone: a cluster provider (it watches the members; a test that
    /// places FEDs joins the node to itself, as a worker) and in-memory persistence.</summary>
    internal const string CoordinatorSystem = """
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        akka.cluster.roles = [worker]
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        akka.loglevel = WARNING
        """;

    [Fact]
    public void After_200_runs_recovery_starts_from_a_snapshot_and_replays_only_the_events_since()
    {
        var registry = new ActorRegistry();
        registry.Register<FedRegion>(CreateTestProbe().Ref);
        registry.Register<RunAggregatorRegion>(CreateTestProbe().Ref);
        var props = Props.Create(() => new RunCoordinator(registry));

        var first = Sys.ActorOf(props);
        for (uint run = 1; run <= 200; run++)
        {
            first.Tell(new CreateRun(run, "/in", $"/out/GainRun_{run}", null, null, false, [1200, 1201], []));
            Assert.True(ExpectMsg<CommandResult>().Ok);
        }
        first.Tell(new SubmitRun(200));
        Assert.True(ExpectMsg<CommandResult>().Ok);
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);

        var recoveries = CreateTestProbe();
        Sys.EventStream.Subscribe(recoveries.Ref, typeof(RunRegistryRecovered));
        var second = Sys.ActorOf(props);
        var recovered = recoveries.ExpectMsg<RunRegistryRecovered>();
        Assert.Equal(200, recovered.Runs);
        Assert.True(recovered.SnapshotSequenceNr >= 201 - RunCoordinator.SnapshotEvery, $"snapshot at {recovered.SnapshotSequenceNr}");
        Assert.True(recovered.EventsReplayed <= RunCoordinator.SnapshotEvery, $"{recovered.EventsReplayed} events replayed");
        Assert.Equal(201 - recovered.SnapshotSequenceNr, recovered.EventsReplayed);

        second.Tell(new ListRuns(false));
        var list = ExpectMsg<RunList>();
        Assert.Equal(200, list.Runs.Length);
        Assert.Equal([200u], list.Runs.Where(r => r.Submitted).Select(r => r.Run));
        second.Tell(new CreateRun(17, "/in", "/out/GainRun_17", null, null, false, [1200, 1201], []));
        Assert.Contains("already created with these settings", ExpectMsg<CommandResult>().Lines[0]);
    }
}
