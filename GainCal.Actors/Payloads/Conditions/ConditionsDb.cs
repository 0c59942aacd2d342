using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace GainCal.Payloads.Conditions;

/// <summary>Tag metadata as the conditions database's TAG table holds it.</summary>
public sealed record ConditionsTag(string Name, string TimeType, string ObjectType, string Synchronization,
    ulong EndOfValidity, string Description, DateTime InsertionTime);

/// <summary>One IOV of a tag: validity starts at <paramref name="Since"/> and runs to the next IOV.</summary>
public sealed record ConditionsIov(string TagName, ulong Since, string PayloadHash, DateTime InsertionTime);

/// <summary>A stored payload: content hash, C++ class name, the serialized object and the writer's description of itself.</summary>
public sealed record ConditionsPayload(string Hash, string ObjectType, byte[] Data, string StreamerInfo, string Version, DateTime InsertionTime);

/// <summary>
/// A SQLite conditions file as CMSSW's CondDB v2 lays it out (CondCore/CondDB IOVSchema, conddblib.py): TAG, IOV and
/// PAYLOAD tables, every column NOT NULL. Files written here hold one tag with one IOV since 1 (beginOfTime for run
/// numbers), as PoolDBOutputService's createOneIOV does for a new tag. Reading also takes files exported from CMS:
/// several tags (one named), several IOVs (the latest is used).
/// </summary>
public static class ConditionsDb
{
    public const ulong BeginOfTime = 1;

    /// <summary>PAYLOAD.VERSION: CMSSW writes the constant "dummy".</summary>
    public const string PayloadVersion = "dummy";

    /// <summary>Boost release whose archive format the codec writes (library version 18), as STREAMER_INFO's tech_version spells it.</summary>
    public const string BoostVersion = "1_74";

    private const string Schema = """
        CREATE TABLE TAG (NAME VARCHAR(4000) NOT NULL, TIME_TYPE VARCHAR(4000) NOT NULL, OBJECT_TYPE VARCHAR(4000) NOT NULL,
            SYNCHRONIZATION VARCHAR(4000) NOT NULL, END_OF_VALIDITY BIGINT NOT NULL, DESCRIPTION VARCHAR(4000) NOT NULL,
            LAST_VALIDATED_TIME BIGINT NOT NULL, INSERTION_TIME TIMESTAMP NOT NULL, MODIFICATION_TIME TIMESTAMP NOT NULL,
            PROTECTION_CODE INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (NAME));
        CREATE TABLE PAYLOAD (HASH CHAR(40) NOT NULL, OBJECT_TYPE VARCHAR(4000) NOT NULL, DATA BLOB NOT NULL,
            STREAMER_INFO BLOB NOT NULL, VERSION VARCHAR(20) NOT NULL, INSERTION_TIME TIMESTAMP NOT NULL, PRIMARY KEY (HASH));
        CREATE TABLE IOV (TAG_NAME VARCHAR(4000) NOT NULL, SINCE BIGINT NOT NULL, PAYLOAD_HASH CHAR(40) NOT NULL,
            INSERTION_TIME TIMESTAMP NOT NULL, PRIMARY KEY (TAG_NAME, SINCE, INSERTION_TIME),
            FOREIGN KEY (TAG_NAME) REFERENCES TAG(NAME), FOREIGN KEY (PAYLOAD_HASH) REFERENCES PAYLOAD(HASH));
        """;

    /// <summary>SHA-1 over the object type (UTF-8, no terminator) then the serialized data, 40 lowercase hex digits.</summary>
    public static string Hash(string objectType, ReadOnlySpan<byte> data)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes(objectType));
        sha.AppendData(data);
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>
    /// STREAMER_INFO in the layout of CMSSW's StreamerInfo::jsonString: who wrote the payload (here GainCal and the
    /// .NET runtime instead of a CMSSW release and SCRAM architecture) and the boost version of the archive format.
    /// </summary>
    public static string StreamerInfo { get; } =
        " {\n" +
        $"\"CMSSW_version\": \"GainCal_{typeof(ConditionsDb).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0"}\",\n" +
        $"\"architecture\": \"{RuntimeInformation.RuntimeIdentifier}_dotnet{Environment.Version.Major}\",\n" +
        "\"technology\": \"boost/serialization\",\n" +
        $"\"tech_version\": \"{BoostVersion}\"\n" +
        " }\n";

    /// <summary>The CMSSW_version of a STREAMER_INFO text (the release that wrote the payload), or "unknown".</summary>
    public static string WriterOf(string streamerInfo)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(streamerInfo);
            return json.RootElement.TryGetProperty("CMSSW_version", out var v) && v.GetString() is { Length: > 0 } release ? release : "unknown";
        }
        catch (System.Text.Json.JsonException)
        {
            return "unknown";
        }
    }

    /// <summary>
    /// A timestamp as CORAL stores a boost ptime in SQLite: UTC "YYYY-MM-DD HH:MM:SS.ffffff" (microseconds, boost's
    /// %F: no fraction at all when it is zero).
    /// </summary>
    public static string FormatTime(DateTime utc)
    {
        long micro = utc.Ticks / 10 % 1_000_000;
        var text = utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        return micro == 0 ? text : text + "." + micro.ToString("D6", CultureInfo.InvariantCulture);
    }

    private static readonly string[] TimeFormats =
        ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF"];

    public static bool TryParseTime(string text, out DateTime utc) =>
        DateTime.TryParseExact(text, TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out utc);

    /// <summary>Creates <paramref name="path"/> afresh (through a temporary file renamed into place) with the schema,
    /// the tag, one IOV since 1 and the payload; <paramref name="extra"/> adds convenience tables in the same transaction.</summary>
    public static string WriteSingleIov(string path, string tagName, string objectType, byte[] data, string description,
        Action<SqliteConnection, SqliteTransaction, string>? extra = null)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + ".tmp-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8];
        var hash = Hash(objectType, data);
        var now = FormatTime(DateTime.UtcNow);
        try
        {
            using (var db = Open(temp, SqliteOpenMode.ReadWriteCreate))
            {
                // A fresh temporary file renamed into place when complete needs no rollback journal; 64 KiB pages
                // store a whole-detector payload (250 MB) in 16 times fewer overflow pages.
                using (var pragma = db.CreateCommand())
                {
                    pragma.CommandText = "PRAGMA page_size = 65536; PRAGMA journal_mode = OFF;";
                    pragma.ExecuteNonQuery();
                }
                using var tx = db.BeginTransaction();
                Execute(db, tx, Schema);
                Execute(db, tx, "INSERT INTO TAG VALUES ($name, 'Run', $type, 'any', 0, $desc, 0, $now, $now, 0)",
                    ("$name", tagName), ("$type", objectType), ("$desc", description), ("$now", now));
                Execute(db, tx, "INSERT INTO PAYLOAD VALUES ($hash, $type, $data, $streamer, $version, $now)",
                    ("$hash", hash), ("$type", objectType), ("$data", data), ("$streamer", System.Text.Encoding.UTF8.GetBytes(StreamerInfo)),
                    ("$version", PayloadVersion), ("$now", now));
                Execute(db, tx, "INSERT INTO IOV VALUES ($name, $since, $hash, $now)",
                    ("$name", tagName), ("$since", (long)BeginOfTime), ("$hash", hash), ("$now", now));
                extra?.Invoke(db, tx, hash);
                tx.Commit();
            }
            SqliteConnection.ClearAllPools();
            File.Move(temp, full, overwrite: true);
        }
        catch (SqliteException e)
        {
            throw new IOException($"{path}: cannot write the conditions file: {e.Message}", e);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (File.Exists(temp)) File.Delete(temp);
        }
        return hash;
    }

    /// <summary>Names and object types of the file's tags.</summary>
    public static IReadOnlyList<(string Name, string ObjectType)> Tags(string path) =>
        WithFile(path, db =>
        {
            using var cmd = db.CreateCommand();
            cmd.CommandText = "SELECT NAME, OBJECT_TYPE FROM TAG ORDER BY NAME";
            using var r = cmd.ExecuteReader();
            var tags = new List<(string, string)>();
            while (r.Read()) tags.Add((r.GetString(0), r.GetString(1)));
            return tags;
        });

    /// <summary>
    /// Reads tag <paramref name="tagName"/> (or the file's only tag), its latest IOV and that IOV's payload, checking the
    /// tag holds one of <paramref name="objectTypes"/> and the payload's hash matches its content. Every problem is an
    /// <see cref="InvalidDataException"/> (or <see cref="FileNotFoundException"/>) naming the file.
    /// </summary>
    public static (ConditionsTag Tag, ConditionsIov Iov, ConditionsPayload Payload) Read(string path, string? tagName, params string[] objectTypes) =>
        WithFile(path, db =>
        {
            var tags = new List<ConditionsTag>();
            using (var cmd = db.CreateCommand())
            {
                cmd.CommandText = "SELECT NAME, TIME_TYPE, OBJECT_TYPE, SYNCHRONIZATION, END_OF_VALIDITY, DESCRIPTION, INSERTION_TIME FROM TAG ORDER BY NAME";
                using var r = cmd.ExecuteReader();
                while (r.Read())
                    tags.Add(new ConditionsTag(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), (ulong)r.GetInt64(4), r.GetString(5), Time(path, r.GetValue(6))));
            }
            if (tags.Count == 0) throw new InvalidDataException($"{path}: the TAG table is empty");
            ConditionsTag tag;
            if (tagName is not null)
                tag = tags.FirstOrDefault(t => t.Name == tagName)
                    ?? throw new InvalidDataException($"{path}: no tag '{tagName}' (tags: {string.Join(", ", tags.Select(t => t.Name))})");
            else if (tags.Count == 1)
                tag = tags[0];
            else
            {
                var fitting = tags.Where(t => objectTypes.Contains(t.ObjectType)).ToList();
                if (fitting.Count != 1)
                    throw new InvalidDataException($"{path}: {tags.Count} tags, name the one to use ({string.Join(", ", tags.Select(t => $"{t.Name} [{t.ObjectType}]"))})");
                tag = fitting[0];
            }
            if (!objectTypes.Contains(tag.ObjectType))
                throw new InvalidDataException($"{path}: tag {tag.Name} holds {tag.ObjectType}, expected {string.Join(" or ", objectTypes)}");
            ConditionsIov iov;
            using (var cmd = db.CreateCommand())
            {
                cmd.CommandText = "SELECT TAG_NAME, SINCE, PAYLOAD_HASH, INSERTION_TIME FROM IOV WHERE TAG_NAME = $name ORDER BY SINCE DESC, INSERTION_TIME DESC LIMIT 1";
                cmd.Parameters.AddWithValue("$name", tag.Name);
                using var r = cmd.ExecuteReader();
                if (!r.Read()) throw new InvalidDataException($"{path}: tag {tag.Name} has no IOV");
                iov = new ConditionsIov(r.GetString(0), (ulong)r.GetInt64(1), r.GetString(2), Time(path, r.GetValue(3)));
            }
            using (var cmd = db.CreateCommand())
            {
                cmd.CommandText = "SELECT HASH, OBJECT_TYPE, DATA, STREAMER_INFO, VERSION, INSERTION_TIME FROM PAYLOAD WHERE HASH = $hash";
                cmd.Parameters.AddWithValue("$hash", iov.PayloadHash);
                using var r = cmd.ExecuteReader();
                if (!r.Read()) throw new InvalidDataException($"{path}: IOV since {iov.Since} of tag {tag.Name} points to missing payload {iov.PayloadHash}");
                var streamer = r.GetValue(3) switch { byte[] b => System.Text.Encoding.UTF8.GetString(b), string s => s, _ => "" };
                var payload = new ConditionsPayload(r.GetString(0), r.GetString(1), r.GetValue(2) as byte[] ?? [], streamer, r.GetString(4), Time(path, r.GetValue(5)));
                if (payload.ObjectType != tag.ObjectType)
                    throw new InvalidDataException($"{path}: payload {payload.Hash} holds {payload.ObjectType} under tag {tag.Name} of {tag.ObjectType}");
                if (Hash(payload.ObjectType, payload.Data) != payload.Hash)
                    throw new InvalidDataException($"{path}: payload {payload.Hash} does not match its content (corrupted)");
                return (tag, iov, payload);
            }
        });

    private static T WithFile<T>(string path, Func<SqliteConnection, T> read)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such conditions file", path);
        try
        {
            using var db = Open(path, SqliteOpenMode.ReadOnly);
            return read(db);
        }
        catch (Exception e) when (e is SqliteException or InvalidCastException or FormatException)
        {
            throw new InvalidDataException($"{path}: not a readable CMS conditions SQLite file: {e.Message}", e);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }
    }

    private static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString());
        db.Open();
        return db;
    }

    internal static void Execute(SqliteConnection db, SqliteTransaction tx, string sql, params (string Name, object Value)[] parameters)
    {
        using var cmd = db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        cmd.ExecuteNonQuery();
    }

    private static DateTime Time(string path, object value) =>
        value is string text && TryParseTime(text, out var utc) ? utc
            : throw new InvalidDataException($"{path}: timestamp '{value}' is not 'YYYY-MM-DD HH:MM:SS[.ffffff]'");
}
