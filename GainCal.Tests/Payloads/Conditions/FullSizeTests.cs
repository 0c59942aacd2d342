using GainCal.Detector;
using GainCal.Payloads;

namespace GainCal.Tests.Payloads.Conditions;

/// <summary>The whole detector's offline payload: its archive size follows from the element-wise vector&lt;char&gt; rule.</summary>
public class FullSizeTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void Whole_detector_offline_payload_costs_one_byte_per_zero_and_two_per_other_byte_and_reads_back()
    {
        var payload = new GainPayload(PayloadKind.Offline, GainEncoding.Reference(PayloadKind.Offline), DetId.AllModules.Count);
        var bytes = new byte[PayloadKind.Offline.BytesPerColumn() * PayloadKinds.ModuleColumns];
        var rng = new Random(5);
        foreach (var module in DetId.AllModules)
        {
            rng.NextBytes(bytes);
            for (int i = 0; i < bytes.Length; i += 7) bytes[i] = 0;
            Assert.True(payload.Put(module.Raw, bytes, PayloadKinds.ModuleColumns));
        }
        var blob = payload.Serialize();

        long zeros = payload.Data.Count((byte)0), others = payload.DataLength - zeros;
        Assert.Equal(125_079_552, payload.DataLength);
        long registry = payload.Registry.Sum(e => SizeOf(e.DetId) + SizeOf(e.IBegin) + SizeOf(e.IEnd) + SizeOf((uint)e.NCols));
        long expected = 3                                    // 7f, library version 01 12
            + 2 + SizeOf((uint)payload.DataLength) + 1       // class preamble, count, item_version
            + zeros + 2 * others                             // the chars
            + 2 + SizeOf((uint)payload.Registry.Count) + 1 + 2 + registry // vector<DetRegistry>: preamble, count, item_version, element preamble, entries
            + 5 + 5 + 1 + 5                                  // -100, 250, 0, 500.5 as floats
            + 4 * 2;                                         // 80, 253, 255, 254
        Assert.Equal(expected, blob.Length);
        Assert.InRange(blob.Length / (double)payload.DataLength, 1.8, 1.9);

        var back = GainPayload.Deserialize(blob, PayloadKind.Offline, "whole.bin", out _);
        Assert.Equal(payload.Registry, back.Registry);
        Assert.True(payload.Data.SequenceEqual(back.Data));
    }

    private static long SizeOf(uint value) => value == 0 ? 1 : 1 + (32 - uint.LeadingZeroCount(value) + 7) / 8;
}
