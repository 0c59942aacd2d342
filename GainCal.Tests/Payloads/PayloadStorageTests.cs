using System.Security.Cryptography;
using System.Text;
using GainCal.Detector;
using GainCal.Payloads;
using Microsoft.Data.Sqlite;

namespace GainCal.Tests.Payloads;

public class PayloadStorageTests
{
    private static readonly DetId A = DetId.BPix(2, 5, 3);

    [Fact]
    public void Payload_file_has_one_tag_one_IOV_since_1_and_the_hashed_payload()
    {
        using var dir = new TempDirectory();
        var input = PayloadTestData.Input(dir, (A.Raw, (row, col) => (1, 55f + col % 7, 10f + row % 11)));
        var build = GainPayloadBuilder.Build(input, [PayloadKind.Offline, PayloadKind.Hlt], modules: [A, DetId.FPix(1, 1, 1, 1)]);
        var files = GainPayloadFile.WriteAll(build, 2025, 0, dir.Path);
        Assert.Equal([dir.File("SiPixelGainCalibration_2025_v0_offline.db"), dir.File("SiPixelGainCalibration_2025_v0_hlt.db")], files);

        var f = GainPayloadFile.Read(files[0]);
        Assert.Equal("SiPixelGainCalibration_2025_v0_offline", f.Tag.Name);
        Assert.Equal("SiPixelGainCalibrationOffline", f.Tag.ObjectType);
        Assert.Equal("Run", f.Tag.TimeType);
        Assert.Equal(1ul, f.Iov.Since);
        Assert.Equal(f.PayloadHash, f.Iov.PayloadHash);
        var original = build.Payloads[PayloadKind.Offline];
        Assert.Equal(original.Registry, f.Payload.Registry);
        Assert.True(original.Data.SequenceEqual(f.Payload.Data));
        Assert.Equal(PayloadKind.Offline, f.Payload.Kind);
        Assert.Equal((-100f, 250f, 0f, 500.5f), (f.Payload.Encoding.MinPedestal, f.Payload.Encoding.MaxPedestal, f.Payload.Encoding.MinGain, f.Payload.Encoding.MaxGain));

        // The SQL view of the file: the tables of a conditions database, the hash is SHA-1 of type + blob.
        using var db = new SqliteConnection($"Data Source={files[0]};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT p.HASH, p.OBJECT_TYPE, p.DATA FROM IOV i JOIN PAYLOAD p ON p.HASH = i.PAYLOAD_HASH WHERE i.TAG_NAME = 'SiPixelGainCalibration_2025_v0_offline' AND i.SINCE = 1";
        using (var r = cmd.ExecuteReader())
        {
            Assert.True(r.Read());
            var blob = (byte[])r.GetValue(2);
            var sha = Convert.ToHexStringLower(SHA1.HashData([.. Encoding.UTF8.GetBytes("SiPixelGainCalibrationOffline"), .. blob]));
            Assert.Equal(sha, r.GetString(0));
        }
        cmd.CommandText = "SELECT DETID, IBEGIN, IEND, NCOLS FROM GAIN_REGISTRY ORDER BY DETID";
        using (var r = cmd.ExecuteReader())
        {
            var rows = new List<(long, long, long, long)>();
            while (r.Read()) rows.Add((r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3)));
            Assert.Equal(original.Registry.Select(e => ((long)e.DetId, (long)e.IBegin, (long)e.IEnd, (long)e.NCols)), rows);
        }
        SqliteConnection.ClearAllPools();

        var hlt = GainPayloadFile.Read(files[1]);
        Assert.Equal(PayloadKind.Hlt, hlt.Payload.Kind);
        Assert.True(hlt.Payload.Encoding.SinglePrecision);
        Assert.Equal(2 * 1664, hlt.Payload.DataLength);
    }

    [Fact]
    public void Registry_is_sorted_by_detid_while_data_follows_insertion_order()
    {
        var p = new GainPayload(PayloadKind.Hlt, GainEncoding.Reference(PayloadKind.Hlt));
        var bytes = new byte[1664];
        Assert.True(p.Put(300u, bytes, 416));
        Assert.True(p.Put(100u, bytes, 416));
        Assert.False(p.Put(300u, bytes, 416));
        Assert.Equal([new ModuleRegistryEntry(100u, 1664, 3328, 416), new ModuleRegistryEntry(300u, 0, 1664, 416)], p.Registry);
        var back = GainPayload.Deserialize(p.Serialize(), PayloadKind.Hlt, "test", out _);
        Assert.Equal(p.Registry, back.Registry);
    }

    [Fact]
    public void Flags_survive_storage_and_decode_as_flags()
    {
        using var dir = new TempDirectory();
        var p = new GainPayload(PayloadKind.Offline, GainEncoding.Reference(PayloadKind.Offline));
        var bytes = new byte[416 * 162];
        bytes[5] = GainEncoding.NoisyFlag;      // col 0, row 5 pedestal
        bytes[80] = GainEncoding.DeadFlag;      // col 0 gain of rows 0-79
        bytes[162 + 81 + 7] = GainEncoding.DeadFlag; // col 1, row 87 pedestal
        p.Put(A.Raw, bytes, 416);
        GainPayloadFile.Write(dir.File("flags.db"), "flags", p);
        var back = GainPayloadFile.Read(dir.File("flags.db")).Payload;
        Assert.True(back.TryGetModule(A.Raw, out var e));
        Assert.True(back.ReadPixel(e, 0, 5).PedestalNoisy);
        Assert.True(back.ReadPixel(e, 0, 79).GainDead);
        Assert.False(back.ReadPixel(e, 0, 80).GainDead);
        Assert.True(back.ReadPixel(e, 1, 87).PedestalDead);
        Assert.False(back.ReadPixel(e, 1, 86).PedestalDead);
    }

    [Fact]
    public void Corrupted_or_foreign_files_are_reported_with_the_file_name()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("junk.db"), "not a database at all, just text that is long enough to not be empty");
        var e = Assert.Throws<InvalidDataException>(() => GainPayloadFile.Read(dir.File("junk.db")));
        Assert.Contains("junk.db", e.Message);
        Assert.Throws<FileNotFoundException>(() => GainPayloadFile.Read(dir.File("missing.db")));
        VCalDb.Write(dir.File("vcal.db"), "SiPixelVCal_phase1_test", VCalDb.Build(new Dictionary<int, double> { [1] = 1.0 }, new Dictionary<int, double>()));
        var foreign = Assert.Throws<InvalidDataException>(() => GainPayloadFile.Read(dir.File("vcal.db")));
        Assert.Contains("SiPixelVCal", foreign.Message);
    }

    [Theory]
    [InlineData("detid,row,col,status,gain\n", "line 1: header has no 'pedestal'")]
    [InlineData("detid,row,col,status,gain,pedestal\n303042564,160,0,1,50,20\n", "line 2: row '160' is not a module row 0..159")]
    [InlineData("detid,row,col,status,gain,pedestal\n303042564,0,0,1,50,20\n303042564,0,416,1,50,20\n", "line 3: col '416' is not a module column 0..415")]
    [InlineData("detid,row,col,status,gain,pedestal\n-5,0,0,1,50,20\n", "line 2: detid '-5' is not an unsigned integer")]
    [InlineData("detid,row,col,status,gain,pedestal\n303042564,0,0,1,abc,20\n", "line 2: gain 'abc' is not a number")]
    [InlineData("detid,row,col,status,gain,pedestal\n303042564,0,0\n", "line 2: missing 'status' field")]
    public void Bad_CSV_input_is_reported_with_file_and_line(string content, string expected)
    {
        using var dir = new TempDirectory();
        var path = dir.File("bad.csv");
        File.WriteAllText(path, content);
        var e = Assert.Throws<InvalidDataException>(() => PayloadInput.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_results_table_is_read_with_its_module_coordinates()
    {
        using var dir = new TempDirectory();
        var table = new GainCal.Results.PixelTable(1234, 3);
        (table.DetId[0], table.ModuleRow[0], table.ModuleCol[0], table.Status[0], table.Gain[0], table.Pedestal[0]) = (A.Raw, 0, 0, 1, 60f, 20f);
        (table.DetId[1], table.ModuleRow[1], table.ModuleCol[1], table.Status[1], table.Gain[1], table.Pedestal[1]) = (A.Raw, 159, 415, 1, 100f, 40f);
        (table.DetId[2], table.ModuleRow[2], table.ModuleCol[2], table.Status[2], table.Gain[2], table.Pedestal[2]) = (A.Raw, 80, 3, -2, 0f, 0f);
        table.Write(dir.File("t.parquet"));
        var input = PayloadInput.Load(dir.File("t.parquet"));
        Assert.Equal([A.Raw], input.Modules);
        var g = new float[66560]; var p = new float[66560]; var s = new sbyte[66560];
        input.FillModule(A.Raw, g, p, s);
        Assert.Equal((60f, 20f, (sbyte)1), (g[0], p[0], s[0]));
        Assert.Equal((100f, 40f, (sbyte)1), (g[415 * 160 + 159], p[415 * 160 + 159], s[415 * 160 + 159]));
        Assert.Equal((sbyte)-2, s[3 * 160 + 80]);
        Assert.Equal(3, s.Count(x => x != 0));
    }
}
