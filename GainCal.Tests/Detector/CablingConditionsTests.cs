using GainCal.Detector;
using GainCal.Payloads.Conditions;
using GainCal.Tests.Payloads.Conditions;

namespace GainCal.Tests.Detector;

/// <summary>The cabling as a CMS SiPixelFedCablingMap conditions file: written, read back, and refused when wrong.</summary>
public class CablingConditionsTests
{
    private static string WriteDb(TempDirectory dir, string name, CablingMap map, string tag = "SiPixelFedCablingMap_test")
    {
        var path = dir.File(name);
        ConditionsDb.WriteSingleIov(path, tag, FedCablingPayload.ObjectType, FedCablingPayload.From(map).Serialize(), "");
        return path;
    }

    [Fact]
    public void The_synthetic_map_written_as_a_conditions_file_reads_back_roc_for_roc()
    {
        using var dir = new TempDirectory();
        var synthetic = CablingMap.Synthetic();
        var path = WriteDb(dir, "cabling.db", synthetic);
        var map = CablingMap.Load(path);
        Assert.Equal(synthetic.Feds, map.Feds);
        foreach (int fed in synthetic.Feds)
            Assert.Equal(synthetic.ForFed(fed).Rocs, map.ForFed(fed).Rocs);
        Assert.Equal($"{path}: SiPixelFedCablingMap 'phase1' of tag SiPixelFedCablingMap_test, IOV since 1, boost archive version 18, " +
                     "29696 ROCs of 1856 modules on 108 FEDs (80 BPix, 28 FPix)", map.Origin);

        // The stored object: keys in (fed, link, roc) order, theIdLk = the key's ROC, theIdDU = the ROC's index in its module.
        var stored = FedCablingPayload.From(synthetic);
        Assert.Equal(stored.Map.Keys.OrderBy(k => k.Fed).ThenBy(k => k.Link).ThenBy(k => k.Roc), stored.Map.Keys);
        var first = stored.Map.First();
        var roc = synthetic.ForFed((int)first.Key.Fed)[0];
        Assert.Equal(new StoredPixelRoc(roc.DetId.Raw, (uint)roc.IdInDetUnit, first.Key.Roc), first.Value);
    }

    [Fact]
    public void The_tag_is_chosen_by_name_when_the_file_holds_several()
    {
        using var dir = new TempDirectory();
        var small = new CablingMap([new CabledRoc(1200, 1, 1, DetId.BPix(1, 1, 1), 0), new CabledRoc(1200, 1, 2, DetId.BPix(1, 1, 1), 1)]);
        var path = WriteDb(dir, "two.db", small, "A");
        var other = WriteDb(dir, "other.db", CablingMap.Synthetic(), "B");
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = $"ATTACH DATABASE '{other}' AS o; INSERT INTO TAG SELECT * FROM o.TAG; INSERT INTO PAYLOAD SELECT * FROM o.PAYLOAD; INSERT INTO IOV SELECT * FROM o.IOV;";
            cmd.ExecuteNonQuery();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        var e = Assert.Throws<CablingFormatException>(() => CablingMap.Load(path));
        Assert.Equal($"{path}: 2 tags, name the one to use (A [SiPixelFedCablingMap], B [SiPixelFedCablingMap])", e.Message);
        Assert.Equal(2, CablingMap.Load(path, "A").RocCount);
        Assert.Equal(29696, CablingMap.Load(path, "B").RocCount);
        var text = dir.File("t.txt");
        CablingMap.Load(path, "A").Save(text);
        Assert.Equal($"{text}: --cabling-tag A needs a conditions .db file, this is a text cabling file",
            Assert.Throws<CablingFormatException>(() => CablingMap.Load(text, "A")).Message);
    }

    [Fact]
    public void Wrong_class_broken_payload_or_undecodable_rocs_are_one_line_naming_the_file()
    {
        using var dir = new TempDirectory();
        var vcal = dir.File("vcal.db");
        ConditionsDb.WriteSingleIov(vcal, "v", "SiPixelVCal", ReferenceBlobs.Read("tiny_vcal.bin"), "");
        Assert.Equal($"{vcal}: tag v holds SiPixelVCal, expected SiPixelFedCablingMap", Assert.Throws<CablingFormatException>(() => CablingMap.Load(vcal)).Message);

        var broken = dir.File("broken.db");
        ConditionsDb.WriteSingleIov(broken, "c", FedCablingPayload.ObjectType, ReferenceBlobs.Read("tiny_cabling.bin")[..40], "");
        var e = Assert.Throws<CablingFormatException>(() => CablingMap.Load(broken));
        Assert.StartsWith($"{broken}: SiPixelFedCablingMap: at byte 40 of the archive: expected ", e.Message);

        // The reference blob itself is well formed, but its FPix detid is not a Phase-1 module.
        var reference = dir.File("reference.db");
        ConditionsDb.WriteSingleIov(reference, "c", FedCablingPayload.ObjectType, ReferenceBlobs.Read("tiny_cabling.bin"), "");
        Assert.Equal($"{reference}: FED 1296 link 3 ROC 1: detid 344130820 is not a Phase-1 pixel module",
            Assert.Throws<CablingFormatException>(() => CablingMap.Load(reference)).Message);

        var mislinked = new FedCablingPayload("phase1", new() { [new CablingKey(1200, 1, 1)] = new StoredPixelRoc(DetId.BPix(1, 1, 1).Raw, 0, 2) });
        var mis = dir.File("mis.db");
        ConditionsDb.WriteSingleIov(mis, "c", FedCablingPayload.ObjectType, mislinked.Serialize(), "");
        Assert.Equal($"{mis}: FED 1200 link 1 ROC 1: the PixelROC says it is ROC 2 of its link", Assert.Throws<CablingFormatException>(() => CablingMap.Load(mis)).Message);

        var module = DetId.BPix(1, 1, 1);
        var twice = new FedCablingPayload("phase1", new()
        {
            [new CablingKey(1200, 1, 1)] = new StoredPixelRoc(module.Raw, 0, 1),
            [new CablingKey(1200, 2, 1)] = new StoredPixelRoc(module.Raw, 0, 1),
        });
        var dup = dir.File("dup.db");
        ConditionsDb.WriteSingleIov(dup, "c", FedCablingPayload.ObjectType, twice.Serialize(), "");
        Assert.Equal($"{dup}: ROC 0 of {module.ModuleName} is cabled twice (FED 1200 and FED 1200)", Assert.Throws<CablingFormatException>(() => CablingMap.Load(dup)).Message);
    }
}
