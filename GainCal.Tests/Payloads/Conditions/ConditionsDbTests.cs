using System.Text.Json;
using GainCal.Payloads;
using GainCal.Payloads.Conditions;
using Microsoft.Data.Sqlite;

namespace GainCal.Tests.Payloads.Conditions;

public class ConditionsDbTests
{
    [Fact]
    public void Written_file_holds_the_CMSSW_data_hash_streamer_info_version_protection_code_and_timestamps()
    {
        using var dir = new TempDirectory();
        var path = dir.File("tiny.db");
        var hash = GainPayloadFile.Write(path, "SiPixelGainCalibration_tiny_offline", ReferenceBlobs.Offline());
        Assert.Equal(ReferenceBlobs.OfflineHash, hash);

        using var db = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT p.HASH, p.OBJECT_TYPE, p.DATA, p.STREAMER_INFO, p.VERSION, p.INSERTION_TIME, t.PROTECTION_CODE, t.TIME_TYPE, t.SYNCHRONIZATION, t.INSERTION_TIME, i.SINCE " +
                          "FROM TAG t JOIN IOV i ON i.TAG_NAME = t.NAME JOIN PAYLOAD p ON p.HASH = i.PAYLOAD_HASH";
        using var r = cmd.ExecuteReader();
        Assert.True(r.Read());
        Assert.Equal(ReferenceBlobs.OfflineHash, r.GetString(0));
        Assert.Equal("SiPixelGainCalibrationOffline", r.GetString(1));
        Assert.Equal(ReferenceBlobs.Read("tiny_offline.bin"), (byte[])r.GetValue(2));
        var streamer = System.Text.Encoding.UTF8.GetString((byte[])r.GetValue(3));
        Assert.StartsWith(" {\n\"CMSSW_version\": \"", streamer);
        Assert.EndsWith("\n }\n", streamer);
        using (var json = JsonDocument.Parse(streamer))
        {
            Assert.Equal("boost/serialization", json.RootElement.GetProperty("technology").GetString());
            Assert.Equal("1_74", json.RootElement.GetProperty("tech_version").GetString());
            Assert.Equal(["CMSSW_version", "architecture", "technology", "tech_version"], json.RootElement.EnumerateObject().Select(p => p.Name));
        }
        Assert.Equal("dummy", r.GetString(4));
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$", r.GetString(5));
        Assert.Equal(0, r.GetInt64(6));
        Assert.Equal(("Run", "any"), (r.GetString(7), r.GetString(8)));
        Assert.Equal(r.GetString(5), r.GetString(9));
        Assert.Equal(1, r.GetInt64(10));
        Assert.False(r.Read());
    }

    [Theory]
    [InlineData(0, "2026-12-06 15:50:53")]
    [InlineData(1234560, "2026-12-06 15:50:53.123456")]
    [InlineData(10, "2026-12-06 15:50:53.000001")]
    public void Timestamps_are_boost_F_text_with_microseconds_or_no_fraction(long ticks, string text)
    {
        var time = new DateTime(2026, 12, 6, 15, 50, 53, DateTimeKind.Utc).AddTicks(ticks);
        Assert.Equal(text, ConditionsDb.FormatTime(time));
        Assert.True(ConditionsDb.TryParseTime(text, out var back));
        Assert.Equal(time, back);
    }

    [Fact]
    public void A_file_with_several_tags_needs_the_name_and_the_latest_IOV_is_read()
    {
        using var dir = new TempDirectory();
        var path = dir.File("many.db");
        VCalDb.Write(path, "SiPixelVCal_a", ReferenceBlobs.VCal());
        var other = new SortedDictionary<uint, VCalEntry> { [303042564] = new(50f, -60f) };
        var otherBlob = VCalDb.Serialize(other);
        var otherHash = ConditionsDb.Hash(VCalDb.ObjectType, otherBlob);
        using (var db = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "INSERT INTO TAG VALUES ('SiPixelVCal_b', 'Run', 'SiPixelVCal', 'any', 0, '', 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00', 0);" +
                              "INSERT INTO PAYLOAD VALUES ($hash, 'SiPixelVCal', $data, x'00', 'dummy', '2026-01-01 00:00:00');" +
                              "INSERT INTO IOV VALUES ('SiPixelVCal_b', 1, (SELECT PAYLOAD_HASH FROM IOV WHERE TAG_NAME = 'SiPixelVCal_a'), '2026-01-01 00:00:00');" +
                              "INSERT INTO IOV VALUES ('SiPixelVCal_b', 300000, $hash, '2026-01-02 00:00:00.5');";
            cmd.Parameters.AddWithValue("$hash", otherHash);
            cmd.Parameters.AddWithValue("$data", otherBlob);
            cmd.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();

        var e = Assert.Throws<InvalidDataException>(() => VCalDb.ReadWithTag(path));
        Assert.Equal($"{path}: 2 tags, name the one to use (SiPixelVCal_a [SiPixelVCal], SiPixelVCal_b [SiPixelVCal])", e.Message);
        var (tag, iov, _, entries) = VCalDb.ReadWithTag(path, "SiPixelVCal_b");
        Assert.Equal(("SiPixelVCal_b", 300000ul), (tag.Name, iov.Since));
        Assert.Equal(other, entries);
        Assert.Equal(ReferenceBlobs.VCal(), VCalDb.ReadWithTag(path, "SiPixelVCal_a").Entries);
        var missing = Assert.Throws<InvalidDataException>(() => VCalDb.ReadWithTag(path, "nope"));
        Assert.Equal($"{path}: no tag 'nope' (tags: SiPixelVCal_a, SiPixelVCal_b)", missing.Message);
    }
}
