using Akka.Actor;
using Akka.Persistence;
using GainCal.Cluster;

namespace GainCal.Tests.Cluster;

public class JournalWarmupTests : Akka.TestKit.Xunit.TestKit
{
    /// <summary>Tells the test its recovered sequence number once recovery is complete.</summary>
    sealed class SequenceOf : ReceivePersistentActor
    {
        public SequenceOf(string id, IActorRef test)
        {
            PersistenceId = id;
            Recover<RecoveryCompleted>(_ => test.Tell(LastSequenceNr));
        }

        public override string PersistenceId { get; }
    }

    [Fact]
    public void Recovers_once_then_stops_and_leaves_the_journal_as_it_was()
    {
        var warmup = Sys.ActorOf(Props.Create(() => new JournalWarmup("127.0.0.1:4053")));
        Watch(warmup);
        ExpectTerminated(warmup);

        Sys.ActorOf(Props.Create(() => new SequenceOf("journal-warmup-127.0.0.1:4053", TestActor)));
        Assert.Equal(0L, ExpectMsg<long>());
    }
}
