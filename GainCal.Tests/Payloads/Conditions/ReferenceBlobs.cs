using GainCal.Detector;
using GainCal.Payloads;

namespace GainCal.Tests.Payloads.Conditions;

/// <summary>
/// The objects of ../shared/condb.md section 3, whose blobs (../shared/condb/*.bin) were written by the real
/// Boost.Serialization 1.74 with CMSSW's portable archive, and their payload hashes from the same table.
/// </summary>
internal static class ReferenceBlobs
{
    public const uint BPixModule = 302055940;

    public const string OfflineHash = "65cce77f28cce4ae74b4bd16d19519bfd26b6be6";
    public const string HltHash = "feef38bca20070cc1a96a86a9edc15606fb5983c";
    public const string VCalHash = "8fdac522ae30755bf38c432ee2069d9946f74bb0";
    public const string CablingHash = "1567d0afb9ae017b1403ca6ad7ed12c34ceca645";

    /// <summary>condb/&lt;name&gt; in the shared folder beside the repository (../shared), found by walking up from the test binaries.</summary>
    public static byte[] Read(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "GainCal.sln"))) continue;
            var path = Path.Combine(dir.FullName, "..", "shared", "condb", name);
            if (File.Exists(path)) return File.ReadAllBytes(path);
            throw new FileNotFoundException($"reference blob {path} not found (the shared folder beside the repository)");
        }
        throw new FileNotFoundException($"no GainCal.sln above {AppContext.BaseDirectory}");
    }

    public static GainPayload Offline()
    {
        var p = new GainPayload(PayloadKind.Offline, GainEncoding.For(PayloadKind.Offline, -100f, 250f, 0f, 500.5f));
        Assert.True(p.Put(BPixModule, [0x00, 0x05, 0x80, 0xff], 1));
        return p;
    }

    public static GainPayload Hlt()
    {
        var p = new GainPayload(PayloadKind.Hlt, GainEncoding.For(PayloadKind.Hlt, -100f, 250f, 0f, 500.5f));
        Assert.True(p.Put(BPixModule, [0x05, 0x10], 1));
        return p;
    }

    public static SortedDictionary<uint, VCalEntry> VCal() => new()
    {
        [303042564] = new VCalEntry(45.7f, -308f),
        [344200196] = new VCalEntry(47f, -60f),
    };

    public static FedCablingPayload Cabling() => new("phase1", new SortedDictionary<CablingKey, StoredPixelRoc>
    {
        [new CablingKey(1200, 1, 1)] = new StoredPixelRoc(303042564, 0, 1),
        [new CablingKey(1200, 1, 2)] = new StoredPixelRoc(303042564, 1, 2),
        [new CablingKey(1296, 3, 1)] = new StoredPixelRoc(344130820, 0, 1),
    });
}
