using GainCal.Detector;
using GainCal.Payloads;
using GainCal.Payloads.Conditions;

namespace GainCal.Tests.Payloads.Conditions;

/// <summary>Our writer against blobs written by the real boost library with CMSSW's archive, and our reader on them.</summary>
public class ReferenceBlobTests
{
    [Fact]
    public void Offline_payload_is_written_as_boost_wrote_it_and_read_back()
    {
        var expected = ReferenceBlobs.Read("tiny_offline.bin");
        var blob = ReferenceBlobs.Offline().Serialize();
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(blob));
        Assert.Equal(ReferenceBlobs.OfflineHash, ConditionsDb.Hash("SiPixelGainCalibrationOffline", blob));

        var back = GainPayload.Deserialize(expected, PayloadKind.Offline, "tiny_offline.bin", out uint version);
        Assert.Equal(18u, version);
        AssertSame(ReferenceBlobs.Offline(), back);
    }

    [Fact]
    public void Hlt_payload_with_its_precisions_is_written_as_boost_wrote_it_and_read_back()
    {
        var expected = ReferenceBlobs.Read("tiny_hlt.bin");
        var blob = ReferenceBlobs.Hlt().Serialize();
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(blob));
        Assert.Equal(ReferenceBlobs.HltHash, ConditionsDb.Hash("SiPixelGainCalibrationForHLT", blob));

        var back = GainPayload.Deserialize(expected, PayloadKind.Hlt, "tiny_hlt.bin", out _);
        AssertSame(ReferenceBlobs.Hlt(), back);
        Assert.Equal(350f / 253f, back.Encoding.PedestalStepSingle);
        Assert.Equal(500.5f / 253f, back.Encoding.GainStepSingle);
    }

    [Fact]
    public void VCal_object_is_written_as_boost_wrote_it_and_read_back()
    {
        var expected = ReferenceBlobs.Read("tiny_vcal.bin");
        var blob = VCalDb.Serialize(ReferenceBlobs.VCal());
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(blob));
        Assert.Equal(ReferenceBlobs.VCalHash, ConditionsDb.Hash("SiPixelVCal", blob));

        var back = VCalDb.Deserialize(expected, "tiny_vcal.bin", out uint version);
        Assert.Equal(18u, version);
        Assert.Equal(ReferenceBlobs.VCal(), back);
    }

    [Fact]
    public void Cabling_map_with_its_base_class_is_written_as_boost_wrote_it_and_read_back()
    {
        var expected = ReferenceBlobs.Read("tiny_cabling.bin");
        var blob = ReferenceBlobs.Cabling().Serialize();
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(blob));
        Assert.Equal(ReferenceBlobs.CablingHash, ConditionsDb.Hash("SiPixelFedCablingMap", blob));

        var back = FedCablingPayload.Deserialize(expected, "tiny_cabling.bin", out _);
        Assert.Equal("phase1", back.Version);
        Assert.Equal(ReferenceBlobs.Cabling().Map, back.Map);

        // The blob's FPix detid has disk 0 and module 65: not a module GainCal can decode for.
        var refused = Assert.Throws<CablingFormatException>(() => back.ToCablingMap("tiny_cabling.bin"));
        Assert.Equal("tiny_cabling.bin: FED 1296 link 3 ROC 1: detid 344130820 is not a Phase-1 pixel module", refused.Message);
        back.Map[new CablingKey(1296, 3, 1)] = new StoredPixelRoc(DetId.FPix(1, 1, 1, 1).Raw, 0, 1);
        var map = back.ToCablingMap("tiny_cabling.bin");
        Assert.Equal([1200, 1296], map.Feds);
        var roc = map.ForFed(1200)[map.ForFed(1200).RocIndex(1, 2)];
        Assert.Equal((new DetId(303042564), 1), (roc.DetId, roc.IdInDetUnit));
    }

    [Fact]
    public void Reference_blobs_read_as_another_class_are_refused_with_the_offset()
    {
        var offline = ReferenceBlobs.Read("tiny_offline.bin");
        // As HLT: the two precision floats are read from the flags, and the archive ends early.
        var e = Assert.Throws<InvalidDataException>(() => GainPayload.Deserialize(offline, PayloadKind.Hlt, "tiny_offline.bin", out _));
        Assert.StartsWith("tiny_offline.bin: SiPixelGainCalibrationForHLT: at byte 56 of the archive: expected ", e.Message);
        var vcal = Assert.Throws<InvalidDataException>(() => VCalDb.Deserialize(ReferenceBlobs.Read("tiny_cabling.bin"), "c.bin", out _));
        Assert.Contains("at byte ", vcal.Message);
    }

    internal static void AssertSame(GainPayload expected, GainPayload actual)
    {
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(expected.Registry, actual.Registry);
        Assert.Equal(expected.Data.ToArray(), actual.Data.ToArray());
        Assert.Equal((expected.Encoding.MinPedestal, expected.Encoding.MaxPedestal, expected.Encoding.MinGain, expected.Encoding.MaxGain),
            (actual.Encoding.MinPedestal, actual.Encoding.MaxPedestal, actual.Encoding.MinGain, actual.Encoding.MaxGain));
    }
}
