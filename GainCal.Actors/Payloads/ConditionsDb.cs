using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace GainCal.Payloads;

/// <summary>Tag metadata as the conditions database's TAG table holds it.</summary>
public sealed record ConditionsTag(string Name, string TimeType, string ObjectType, string Synchronization,
    ulong EndOfValidity, string Description, DateTime InsertionTime);

/// <summary>One IOV of a tag: validity starts at <paramref name="Since"/> and runs to the next IOV.</summary>
public sealed record ConditionsIov(string TagName, ulong Since, string PayloadHash, DateTime InsertionTime);

/// <summary>A stored payload: content hash, C++ class name and the serialized object.</summary>
public sealed record ConditionsPayload(string Hash, string ObjectType, byte[] Data, string Version, DateTime InsertionTime);

/// <summary>
/// A SQLite file laid out like a CMS conditions database (CondDB v2): TAG, IOV and PAYLOAD tables with the
/// CondCore column names. Each file written here holds one tag with one IOV since 1 (beginOfTime for run
/// numbers), as the reference's PoolDBOutputService createOneIOV does for a new tag.
/// </summary>
internal static class ConditionsDb
{
    public const ulong BeginOfTime = 1;
    public const ulong EndOfTime = ulong.MaxValue;

    private const string Schema = """
        CREATE TABLE TAG (NAME TEXT PRIMARY KEY NOT NULL, TIME_TYPE TEXT NOT NULL, OBJECT_TYPE TEXT NOT NULL,
            SYNCHRONIZATION TEXT NOT NULL, END_OF_VALIDITY INTEGER NOT NULL, DESCRIPTION TEXT NOT NULL,
            LAST_VALIDATED_TIME INTEGER NOT NULL, INSERTION_TIME TEXT NOT NULL, MODIFICATION_TIME TEXT NOT NULL,
            PROTECTION_CODE INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE PAYLOAD (HASH TEXT PRIMARY KEY NOT NULL, OBJECT_TYPE TEXT NOT NULL, DATA BLOB NOT NULL,
            STREAMER_INFO BLOB NOT NULL, VERSION TEXT NOT NULL, INSERTION_TIME TEXT NOT NULL);
        CREATE TABLE IOV (TAG_NAME TEXT NOT NULL REFERENCES TAG(NAME), SINCE INTEGER NOT NULL,
            PAYLOAD_HASH TEXT NOT NULL REFERENCES PAYLOAD(HASH), INSERTION_TIME TEXT NOT NULL,
            PRIMARY KEY (TAG_NAME, SINCE, INSERTION_TIME));
        """;

    /// <summary>SHA-1 over the object type and the serialized data, hex, as the conditions tools key payloads.</summary>
    public static string Hash(string objectType, ReadOnlySpan<byte> data)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes(objectType));
        sha.AppendData(data);
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>Creates <paramref name="path"/> afresh (through a temporary file renamed into place) with the schema,
    /// the tag, one IOV since 1 and the payload; <paramref name="extra"/> adds convenience tables in the same transaction.</summary>
    public static string WriteSingleIov(string path, string tagName, string objectType, byte[] data, string description,
        Action<SqliteConnection, SqliteTransaction, string>? extra = null)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + ".tmp-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8];
        var hash = Hash(objectType, data);
        var now = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
        try
        {
            using (var db = Open(temp, SqliteOpenMode.ReadWriteCreate))
            {
                using var tx = db.BeginTransaction();
                Execute(db, tx, Schema);
                Execute(db, tx, "INSERT INTO TAG VALUES ($name, 'Run', $type, 'any', 0, $desc, 0, $now, $now, 0)",
                    ("$name", tagName), ("$type", objectType), ("$desc", description), ("$now", now));
                Execute(db, tx, "INSERT INTO PAYLOAD VALUES ($hash, $type, $data, $streamer, 'GainCal 1', $now)",
                    ("$hash", hash), ("$type", objectType), ("$data", data), ("$streamer", Array.Empty<byte>()), ("$now", now));
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

    /// <summary>Reads the single tag of a file written by <see cref="WriteSingleIov"/>, its first IOV and that IOV's payload.</summary>
    public static (ConditionsTag Tag, ConditionsIov Iov, ConditionsPayload Payload) ReadSingleIov(string path, string expectedObjectType)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such conditions file", path);
        try
        {
            using var db = Open(path, SqliteOpenMode.ReadOnly);
            ConditionsTag tag;
            using (var cmd = db.CreateCommand())
            {
                cmd.CommandText = "SELECT NAME, TIME_TYPE, OBJECT_TYPE, SYNCHRONIZATION, END_OF_VALIDITY, DESCRIPTION, INSERTION_TIME FROM TAG ORDER BY NAME";
                using var r = cmd.ExecuteReader();
                if (!r.Read()) throw new InvalidDataException($"{path}: the TAG table is empty");
                tag = new ConditionsTag(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), (ulong)r.GetInt64(4), r.GetString(5), ParseTime(r.GetString(6)));
                if (r.Read()) throw new InvalidDataException($"{path}: more than one tag; GainCal files hold one");
            }
            if (tag.ObjectType != expectedObjectType)
                throw new InvalidDataException($"{path}: tag {tag.Name} holds {tag.ObjectType}, expected {expectedObjectType}");
            ConditionsIov iov;
            using (var cmd = db.CreateCommand())
            {
                cmd.CommandText = "SELECT TAG_NAME, SINCE, PAYLOAD_HASH, INSERTION_TIME FROM IOV WHERE TAG_NAME = $name ORDER BY SINCE";
                cmd.Parameters.AddWithValue("$name", tag.Name);
                using var r = cmd.ExecuteReader();
                if (!r.Read()) throw new InvalidDataException($"{path}: tag {tag.Name} has no IOV");
                iov = new ConditionsIov(r.GetString(0), (ulong)r.GetInt64(1), r.GetString(2), ParseTime(r.GetString(3)));
            }
            using (var cmd = db.CreateCommand())
            {
                cmd.CommandText = "SELECT HASH, OBJECT_TYPE, DATA, VERSION, INSERTION_TIME FROM PAYLOAD WHERE HASH = $hash";
                cmd.Parameters.AddWithValue("$hash", iov.PayloadHash);
                using var r = cmd.ExecuteReader();
                if (!r.Read()) throw new InvalidDataException($"{path}: IOV since {iov.Since} points to missing payload {iov.PayloadHash}");
                var payload = new ConditionsPayload(r.GetString(0), r.GetString(1), (byte[])r.GetValue(2), r.GetString(3), ParseTime(r.GetString(4)));
                if (Hash(payload.ObjectType, payload.Data) != payload.Hash)
                    throw new InvalidDataException($"{path}: payload {payload.Hash} does not match its content (corrupted)");
                return (tag, iov, payload);
            }
        }
        catch (SqliteException e)
        {
            throw new InvalidDataException($"{path}: not a readable conditions SQLite file: {e.Message}", e);
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

    private static DateTime ParseTime(string text) =>
        DateTime.ParseExact(text, "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}
