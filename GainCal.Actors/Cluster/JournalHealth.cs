using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace GainCal.Cluster;

/// <summary>Whether this node can read its journal (and snapshot store), checked at start and every
/// <see cref="Period"/>: SQLite files with `PRAGMA quick_check` (every page and index is read, so noise written into
/// the middle of the file is found), PostgreSQL with a read of the journal table. A journal that cannot be read
/// makes the node not ready, and run commands answer with the reason at once instead of waiting for a run
/// coordinator that cannot recover (its recovery fails and restarts forever).</summary>
public sealed class JournalHealth(NodeSettings settings, ILogger<JournalHealth> log) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(10);

    string? _problem;

    /// <summary>Null while the journal reads; otherwise the one-line reason.</summary>
    public string? Problem => Volatile.Read(ref _problem);

    public override async Task StartAsync(CancellationToken ct)
    {
        Check();
        await base.StartAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Period);
        try
        {
            while (await timer.WaitForNextTickAsync(ct)) await Task.Run(Check, ct);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Runs the check now; returns (and keeps) the problem found, null when none.</summary>
    public string? Check()
    {
        var problem = Probe(settings);
        var before = Interlocked.Exchange(ref _problem, problem);
        if (problem is not null && problem != before) log.LogError("journal cannot be read: {Problem}", problem);
        else if (problem is null && before is not null) log.LogWarning("journal readable again");
        return problem;
    }

    /// <summary>The reason the journal cannot be read, or null. A PostgreSQL database without the journal table yet is
    /// a fresh one (the table is created on first use) unless <paramref name="tableMustExist"/>.</summary>
    public static string? Probe(NodeSettings s, bool tableMustExist = false)
    {
        if (s.Persistence == "postgresql")
        {
            try
            {
                using var c = new NpgsqlConnection(s.ConnectionString);
                c.Open();
                using var cmd = c.CreateCommand();
                cmd.CommandText = "SELECT 1 FROM journal LIMIT 1";
                cmd.ExecuteScalar();
                return null;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable && !tableMustExist)
            {
                return null;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or ArgumentException)
            {
                return $"journal (PostgreSQL): {e.Message}";
            }
        }
        var (journal, snapshots) = GainCalHosting.SqliteConnectionStrings(s);
        return SqliteProblem(journal) ?? SqliteProblem(snapshots);
    }

    static string? SqliteProblem(string connectionString)
    {
        var b = new SqliteConnectionStringBuilder(connectionString) { Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        if (!File.Exists(b.DataSource)) return null;   // not created yet: a fresh node (--journal-must-exist refuses that at start)
        try
        {
            using var c = new SqliteConnection(b.ToString());
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA quick_check(3)";
            using var r = cmd.ExecuteReader();
            var found = new List<string>();
            while (r.Read()) found.Add(r.GetString(0).ReplaceLineEndings(" "));
            return found is ["ok"] ? null : $"{b.DataSource}: {string.Join("; ", found)}";
        }
        catch (SqliteException e)
        {
            return $"{b.DataSource}: {e.Message}";
        }
    }

    /// <summary>For `--journal-must-exist`: the reason a node must not start with an empty journal, or null.</summary>
    public static string? MissingProblem(NodeSettings s)
    {
        if (s.Persistence == "postgresql")
            return Probe(s, tableMustExist: true) is { } p ? $"{p} (--journal-must-exist: the journal must exist and be readable)" : null;
        var journal = new SqliteConnectionStringBuilder(GainCalHosting.SqliteConnectionStrings(s).Journal).DataSource;
        return File.Exists(journal)
            ? null
            : $"journal {journal} does not exist (--journal-must-exist): restore it, or start without the option to begin an empty one";
    }
}
