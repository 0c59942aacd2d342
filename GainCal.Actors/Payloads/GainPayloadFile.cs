using GainCal.Payloads.Conditions;

namespace GainCal.Payloads;

/// <summary>A gain payload read back from its SQLite file, with the tag and IOV it is stored under.</summary>
/// <param name="ArchiveVersion">Boost library version of the payload's archive (18 = boost 1.74).</param>
/// <param name="WrittenBy">The writer as STREAMER_INFO names it (a CMSSW release, or GainCal).</param>
public sealed record GainPayloadFile(string Path, ConditionsTag Tag, ConditionsIov Iov, string PayloadHash, uint ArchiveVersion, string WrittenBy, GainPayload Payload)
{
    /// <summary>
    /// Writes one payload as its own conditions file: TAG / IOV (since 1) / PAYLOAD, plus a GAIN_REGISTRY
    /// table repeating the per-module registry (detid, ibegin, iend, ncols) for SQL inspection.
    /// Returns the payload hash.
    /// </summary>
    public static string Write(string path, string tagName, GainPayload payload, string description = "")
    {
        var blob = payload.Serialize();
        return ConditionsDb.WriteSingleIov(path, tagName, payload.Kind.ObjectType(), blob,
            description.Length > 0 ? description : $"{payload.Kind.ObjectType()} written by GainCal",
            (db, tx, hash) =>
            {
                ConditionsDb.Execute(db, tx, """
                    CREATE TABLE GAIN_REGISTRY (PAYLOAD_HASH TEXT NOT NULL REFERENCES PAYLOAD(HASH), DETID INTEGER NOT NULL,
                        IBEGIN INTEGER NOT NULL, IEND INTEGER NOT NULL, NCOLS INTEGER NOT NULL, PRIMARY KEY (PAYLOAD_HASH, DETID))
                    """);
                using var cmd = db.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = "INSERT INTO GAIN_REGISTRY VALUES ($hash, $detid, $begin, $end, $ncols)";
                var pHash = cmd.Parameters.Add("$hash", Microsoft.Data.Sqlite.SqliteType.Text);
                var pDet = cmd.Parameters.Add("$detid", Microsoft.Data.Sqlite.SqliteType.Integer);
                var pBegin = cmd.Parameters.Add("$begin", Microsoft.Data.Sqlite.SqliteType.Integer);
                var pEnd = cmd.Parameters.Add("$end", Microsoft.Data.Sqlite.SqliteType.Integer);
                var pCols = cmd.Parameters.Add("$ncols", Microsoft.Data.Sqlite.SqliteType.Integer);
                pHash.Value = hash;
                foreach (var e in payload.Registry)
                {
                    pDet.Value = (long)e.DetId; pBegin.Value = (long)e.IBegin; pEnd.Value = (long)e.IEnd; pCols.Value = e.NCols;
                    cmd.ExecuteNonQuery();
                }
            });
    }

    /// <summary>Reads the gain payload of a conditions file: the class is the tag's object type (the file's only
    /// tag, or <paramref name="tagName"/>), its latest IOV's payload is decoded.</summary>
    public static GainPayloadFile Read(string path, string? tagName = null)
    {
        var (tag, iov, stored) = ConditionsDb.Read(path, tagName, [.. PayloadKinds.All.Select(k => k.ObjectType())]);
        var kind = PayloadKinds.All.First(k => k.ObjectType() == tag.ObjectType);
        var payload = GainPayload.Deserialize(stored.Data, kind, path, out uint version);
        return new GainPayloadFile(path, tag, iov, stored.Hash, version, ConditionsDb.WriterOf(stored.StreamerInfo), payload);
    }

    /// <summary>Writes the requested payloads of a build under the reference's names into <paramref name="directory"/>.</summary>
    public static IReadOnlyList<string> WriteAll(PayloadBuild build, int year, int version, string directory)
    {
        var written = new List<string>();
        foreach (var kind in PayloadKinds.All)
        {
            if (!build.Payloads.TryGetValue(kind, out var payload)) continue;
            var tag = PayloadKinds.TagName(year, version, kind);
            var path = System.IO.Path.Combine(directory, tag + ".db");
            Write(path, tag, payload);
            written.Add(path);
        }
        return written;
    }
}
