using Akka.Actor;
using Akka.Persistence;

namespace GainCal.Cluster;

/// <summary>Recovers a persistence id that has no events once, at the node's start, and stops. A process's first recovery
/// from the SQL journal costs seconds (the plugin builds and compiles its queries on first use, ~2-3 s on a busy two-core
/// host); without this, the first FED a node was given waited that long in recovery while its slot sat idle
/// (bench cluster, docs/cluster.md). It writes nothing.</summary>
public sealed class JournalWarmup : ReceivePersistentActor
{
    public JournalWarmup(string node)
    {
        PersistenceId = "journal-warmup-" + node;
        Recover<RecoveryCompleted>(_ => Context.Stop(Self));
    }

    public override string PersistenceId { get; }
}
