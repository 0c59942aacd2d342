using CsCheck;
using GainCal.Payloads;

namespace GainCal.Tests.Payloads;

public class GainEncodingTests
{
    private static GainEncoding Offline => GainEncoding.Reference(PayloadKind.Offline);
    private static GainEncoding Hlt => GainEncoding.Reference(PayloadKind.Hlt);

    [Fact]
    public void Reference_ranges_are_the_uploaders()
    {
        var e = Offline;
        Assert.Equal((-100f, 250f, 0f, 500.5f), (e.MinPedestal, e.MaxPedestal, e.MinGain, e.MaxGain));
        // Steps of 350/253 ADC and 500.5/253 e-/ADC, computed in float as the classes do.
        Assert.Equal(1.383399248123169, e.PedestalStep, 15);
        Assert.Equal(1.97826087474823, e.GainStep, 14);
    }

    [Theory]
    [InlineData(PayloadKind.Offline)]
    [InlineData(PayloadKind.Hlt)]
    [InlineData(PayloadKind.Full)]
    public void Decode_of_encode_is_within_one_step_below_the_value(PayloadKind kind)
    {
        var e = GainEncoding.Reference(kind);
        Gen.Float[-100f, 250f].Sample(ped =>
        {
            float back = e.DecodePedestal(e.EncodePedestal(ped));
            return back <= ped + 1e-4f && ped - back < e.PedestalStep + 1e-4;
        });
        Gen.Float[0f, 500.5f].Sample(gain =>
        {
            float back = e.DecodeGain(e.EncodeGain(gain));
            return back <= gain + 1e-4f && gain - back < e.GainStep + 1e-4;
        });
    }

    [Fact]
    public void Encoding_truncates_and_never_rounds_up()
    {
        // (20 + 100) / (350/253) = 86.74: code 86, not 87; 60 / (500.5/253) = 30.33: code 30.
        Assert.Equal(86, Offline.EncodePedestal(20f));
        Assert.Equal(30, Offline.EncodeGain(60f));
        // Just below the next code's edge still truncates: 87 * step - 100 - 0.001.
        Assert.Equal(86, Offline.EncodePedestal((float)(87 * (350.0 / 253) - 100 - 0.001)));
        Assert.Equal(0, Offline.EncodePedestal(-100f));
        Assert.Equal(0, Offline.EncodeGain(0f));
    }

    [Fact]
    public void The_range_ends_encode_to_0_and_253_and_never_reach_the_flags()
    {
        foreach (var e in new[] { Offline, Hlt })
        {
            Assert.Equal(253, e.EncodePedestal(250f));
            Assert.Equal(253, e.EncodeGain(500.5f));
            Gen.Float[-100f, 250f].Sample(p => e.EncodePedestal(p) <= 253);
        }
    }

    [Fact]
    public void Out_of_range_values_are_refused_as_CMSSW_throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Offline.EncodePedestal(250.01f));
        Assert.Throws<ArgumentOutOfRangeException>(() => Offline.EncodePedestal(-100.01f));
        Assert.Throws<ArgumentOutOfRangeException>(() => Offline.EncodeGain(-0.001f));
        Assert.Throws<ArgumentOutOfRangeException>(() => Hlt.EncodeGain(500.6f));
        Assert.Throws<ArgumentOutOfRangeException>(() => Hlt.EncodePedestal(float.NaN));
    }

    [Fact]
    public void HLT_decodes_in_float_and_offline_in_double()
    {
        // Expected values computed outside this code base with IEEE single rounding:
        // offline: (float)(5 * (double)step + -100); HLT: (float)((float)(5 * step) + -100f), step = (float)(350f / 253).
        Assert.Equal(-93.08300018310547f, Offline.DecodePedestal(5));
        Assert.Equal(-93.0830078125f, Hlt.DecodePedestal(5));
        Assert.Equal(-91.6996078491211f, Offline.DecodePedestal(6));
        Assert.Equal(-91.69960021972656f, Hlt.DecodePedestal(6));
        int differ = Enumerable.Range(0, 254).Count(k => Offline.DecodePedestal(k) != Hlt.DecodePedestal(k));
        Assert.Equal(119, differ);
        // With a minimum of 0 the gain decodes identically in both arithmetics.
        Assert.All(Enumerable.Range(0, 254), k => Assert.Equal(Offline.DecodeGain(k), Hlt.DecodeGain(k)));
        Assert.False(GainEncoding.Reference(PayloadKind.Full).SinglePrecision);
    }

    [Fact]
    public void Re_encoding_a_decoded_value_can_lose_one_code()
    {
        // The reference truncates: the decoded value of code 5 (HLT, float) lies a hair below 5 steps.
        Assert.Equal(4, Hlt.EncodePedestal(Hlt.DecodePedestal(5)));
        Assert.Equal(5, Offline.EncodePedestal(Offline.DecodePedestal(5)));
    }
}
