using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Akka.Persistence.Sql.Hosting;
using GainCal.Operations;
using GainCal.Results;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace GainCal.Cluster;

// ActorRegistry keys.
public sealed class FedRegion;
public sealed class RunAggregatorRegion;
public sealed class RunCoordinatorProxy;
public sealed class FedSlotsKey;

public sealed class RunAggregatorMessageExtractor() : HashCodeMessageExtractor(10)
{
    public override string? EntityId(object message) => message is IRunAggregatorMessage m ? m.Run.ToString() : null;
}

public static class GainCalHosting
{
    /// <summary>A whole node: the ActorSystem (remoting, cluster, sharding, singleton, SQL persistence,
    /// the serializer) and the command host. Used by GainCal.Node and by `gaincal demo`. <paramref name="more"/>
    /// adds what only some hosts have (GainCal.Node's health checks and metrics).</summary>
    public static IServiceCollection AddGainCalNode(this IServiceCollection services, NodeSettings settings,
        Action<AkkaConfigurationBuilder, IServiceProvider>? more = null)
    {
        settings.Validated();
        PrepareStorage(settings);
        services.AddSingleton(settings);
        var fits = new FitThreadPool(settings.FitWorkers);
        services.AddSingleton(fits);
        services.AddSingleton<JournalHealth>();
        services.AddHostedService(sp => sp.GetRequiredService<JournalHealth>());
        services.AddAkka(settings.SystemName, (builder, sp) =>
        {
            builder.WithGainCalNode(settings, fits).WithGainCalOperations();
            more?.Invoke(builder, sp);
        });
        services.AddGainCalOperations();
        return services;
    }

    /// <summary>Journal and snapshots of the SQLite default: two files, so that the snapshot store never waits
    /// on the journal's write lock (akka.net#3538), in WAL mode so readers do not block the writer; the
    /// busy timeout (Default Timeout) makes a writer wait for another process instead of failing.</summary>
    public static (string Journal, string Snapshots) SqliteConnectionStrings(NodeSettings s)
    {
        var dir = Path.GetFullPath(s.DataDir);
        return (s.ConnectionString ?? $"Data Source={Path.Combine(dir, "journal.db")};Default Timeout=30;Pooling=True",
            $"Data Source={Path.Combine(dir, "snapshots.db")};Default Timeout=30;Pooling=True");
    }

    /// <summary>Throws <see cref="IOException"/> when the journal must exist and does not. A journal that exists but
    /// cannot be read does not stop the start: the node comes up not ready and says why (<see cref="JournalHealth"/>).</summary>
    static void PrepareStorage(NodeSettings s)
    {
        Directory.CreateDirectory(s.DataDir);
        if (s.JournalMustExist && JournalHealth.MissingProblem(s) is { } missing) throw new IOException(missing);
        if (s.Persistence != "sqlite") return;
        var (journal, snapshots) = SqliteConnectionStrings(s);
        foreach (var cs in new[] { journal, snapshots })
        {
            // journal_mode=WAL is stored in the database file: once set, every connection of every process uses it.
            try
            {
                using var c = new SqliteConnection(cs);
                c.Open();
                using var cmd = c.CreateCommand();
                cmd.CommandText = "PRAGMA journal_mode=WAL;";
                cmd.ExecuteNonQuery();
            }
            catch (SqliteException)
            {
                // Unreadable: reported by JournalHealth, the node stays up and not ready.
            }
        }
    }

    static string Hocon(NodeSettings s) => $$"""
        akka {
          loglevel = {{s.LogLevel}}
          cluster {
            # Keep-majority with at least three members (DESIGN.md 3). Defaults are 20 s + 20 s, tuned for
            # networks where an unreachable member may still be alive behind a partition. Our nodes share one
            # host: a member that stops answering has died (kill, crash), loopback does not partition, so
            # waiting long buys no safety and only delays the failover of its FEDs, coordinator and shards.
            split-brain-resolver.stable-after = {{s.StableAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}}s
            down-removal-margin = {{s.DownRemovalMarginSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}}s
            # Durable distributed data is LMDB-backed and broken with the served LightningDB (akka-notes P1);
            # sharding keeps its state and remembered entities in the SQL journal instead.
            sharding.distributed-data.durable.keys = []
            sharding.state-store-mode = persistence
            sharding.remember-entities-store = eventsourced
          }
        }
        """;

    /// <param name="fits">The node's fit threads, shared by all its FEDs (fitting is pure CPU work: on threads of its own it
    /// cannot delay the cluster's heartbeats and gossip, which run on the .NET thread pool).</param>
    public static AkkaConfigurationBuilder WithGainCalNode(this AkkaConfigurationBuilder builder, NodeSettings s, FitThreadPool fits)
    {
        // DotNetty with TLS names its protocol akka.ssl.tcp: a node without TLS cannot even address one with it.
        var protocol = s.UsesTls ? "akka.ssl.tcp" : "akka.tcp";
        var self = $"{protocol}://{s.SystemName}@{s.AdvertisedHost}:{s.Port}";
        var seeds = s.Seeds.Count == 0 ? [self] : s.Seeds.Select(x => x.Contains("://") ? x : $"{protocol}://{s.SystemName}@{x}").ToArray();

        if (s.TlsProblem() is { } tls) throw new InvalidOperationException(tls);
        if (s.UsesTls)
            builder
                .AddHocon("akka.remote.dot-netty.tcp.enable-ssl = on", HoconAddMode.Prepend)
                .AddSetup(RemotingTls.Setup(s));
        builder
            .AddHocon(ConfigurationFactory.ParseString(Hocon(s)), HoconAddMode.Prepend)
            .WithRemoting(s.Host, s.Port, s.PublicHost)
            .WithClustering(new ClusterOptions
            {
                SeedNodes = seeds,
                Roles = s.Roles.ToArray(),
                SplitBrainResolver = new KeepMajorityOption(),
            })
            .WithCustomSerializer("gaincal", [typeof(IGainCalMessage)], sys => new GainCalSerializer(sys));

        builder = s.Persistence == "postgresql" ? WithPostgres(builder, s) : WithSqlite(builder, s);

        if (!s.IsWorker)
            return builder
                .WithShardRegionProxy<FedRegion>("fed", NodeSettings.WorkerRole, new FedMessageExtractor())
                .WithShardRegionProxy<RunAggregatorRegion>("run-aggregator", NodeSettings.WorkerRole, new RunAggregatorMessageExtractor())
                .WithSingletonProxy<RunCoordinatorProxy>("run-coordinator", new ClusterSingletonOptions { Role = NodeSettings.WorkerRole });

        var pipeline = new FedPipelineOptions
        {
            Decoders = s.Decoders,
            FitScheduler = fits,
            PatternsInFlight = s.PatternsInFlight,
            ReadBytesPerSecond = s.ReadLimitMBPerSecond * 1e6,
            Warnings = s.Warnings,
        };
        return builder
            .WithActors((system, registry) =>
            {
                var node = NodeName.Of(Akka.Cluster.Cluster.Get(system).SelfAddress);
                Func<IActorRef?> coordinator = () => registry.TryGet<RunCoordinatorProxy>(out var proxy) ? proxy : null;
                Func<IActorRef?> region = () => registry.TryGet<FedRegion>(out var fedRegion) ? fedRegion : null;
                registry.Register<FedSlotsKey>(system.ActorOf(Props.Create(() => new FedSlots(s.MaxFeds, node, coordinator, region)), "fed-slots"));
                system.ActorOf(Props.Create(() => new JournalWarmup(node)), "journal-warmup");
                // Started here rather than with Akka.Hosting's WithShardRegion, which takes no allocation strategy (FEDs:
                // ShardPerNode, aggregators: BusyShardsStay; neither moves anything at work). The state store is set in the HOCON above.
                var sharding = ClusterSharding.Get(system);
                var settings = ClusterShardingSettings.Create(system).WithRole(NodeSettings.WorkerRole);
                // No remember-entities: the coordinator re-sends the start of every unfinished FED it has not heard from
                // (RunRegistry.Silence), which also covers a node's death. Remembering added one persistent store per shard
                // that every node recovered from the journal at start-up; under the journal's write lock those recoveries
                // timed out ("Failed to load initial entity ids from remember entities store within [00:00:05]") and the
                // shards backed off, leaving FEDs queued for ~15 s on idle nodes.
                var feds = new FedMessageExtractor();
                var paths = PathConfinement.Of(s);
                registry.Register<FedRegion>(sharding.Start("fed",
                    entityId => Props.Create(() => new FedCalibrator(entityId, pipeline, paths, registry)), settings, feds,
                    new ShardPerNode(),
                    PoisonPill.Instance));
                registry.Register<RunAggregatorRegion>(sharding.Start("run-aggregator",
                    entityId => Props.Create(() => new RunAggregator(entityId, s, registry)), settings, new RunAggregatorMessageExtractor(),
                    new BusyShardsStay(sharding.DefaultShardAllocationStrategy(settings), BusyShardsStay.LiveEntities), PoisonPill.Instance));
            })
            .WithSingleton<RunCoordinatorProxy>("run-coordinator",
                (system, registry, _) => Props.Create(() => new RunCoordinator(registry)),
                new ClusterSingletonOptions { Role = NodeSettings.WorkerRole }, createProxyToo: true);
    }

    static AkkaConfigurationBuilder WithSqlite(AkkaConfigurationBuilder builder, NodeSettings s)
    {
        var (journal, snapshots) = SqliteConnectionStrings(s);
        return WithSql(builder, journal, snapshots, LinqToDB.ProviderName.SQLiteMS);
    }

    static AkkaConfigurationBuilder WithPostgres(AkkaConfigurationBuilder builder, NodeSettings s)
    {
        var cs = s.ConnectionString
                 ?? throw new ArgumentException("configuration ConnectionString is required when Persistence is postgresql");
        return WithSql(builder, cs, cs, LinqToDB.ProviderName.PostgreSQL);
    }

    static AkkaConfigurationBuilder WithSql(AkkaConfigurationBuilder builder, string journal, string snapshots, string provider) =>
        builder.WithSqlPersistence(
            new SqlJournalOptions(true, "sql") { ConnectionString = journal, ProviderName = provider, AutoInitialize = true },
            new SqlSnapshotOptions(true, "sql") { ConnectionString = snapshots, ProviderName = provider, AutoInitialize = true });
}
