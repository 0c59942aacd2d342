using GainCal.Detector;
using GainCal.Payloads;

namespace GainCal.Tests.Payloads;

public class GainPayloadBuilderTests
{
    private static readonly DetId A = DetId.BPix(1, 1, 1), B = DetId.BPix(1, 1, 2), C = DetId.BPix(1, 1, 3);

    // Module A: pedestal 20 / gain 60 in rows 0-79, pedestal 40 / gain 100 in rows 80-159, with three planted faults:
    // (col 0, row 3) failed fit; col 1 rows 0-79 never fitted (status 0); (col 2, row 100) pedestal 260 (out of range).
    private static (int, float, float)? ModuleA(int row, int col)
    {
        if (col == 0 && row == 3) return (-2, 0f, 0f);
        if (col == 1 && row < 80) return (0, 0f, 0f);
        if (col == 2 && row == 100) return (1, 100f, 260f);
        return row < 80 ? (1, 60f, 20f) : (1, 100f, 40f);
    }

    private static (int, float, float)? ModuleB(int row, int col) => (1, 200f, 100f);

    /// <summary>Code by hand: floor((value − min) / ((max − min) / 253)), ranges −100..250 and 0..500.5.</summary>
    private static byte Ped(double v) => (byte)Math.Floor((v + 100) / (350.0 / 253));
    private static byte Gain(double v) => (byte)Math.Floor(v / (500.5 / 253));

    [Fact]
    public void Golden_bytes_of_a_three_module_payload()
    {
        using var dir = new TempDirectory();
        var input = PayloadTestData.Input(dir, (A.Raw, ModuleA), (B.Raw, ModuleB));
        var build = GainPayloadBuilder.Build(input, PayloadKinds.All, modules: [A, B, C]);

        // Module A's means over its 66,479 fitted pixels (the 260 pedestal included, no range cut):
        double modPed = (33199 * 20.0 + 33279 * 40.0 + 260.0) / 66479, modGain = (33199 * 60.0 + 33280 * 100.0) / 66479;
        // Global means over pixels with gain > 0, pedestals above 250 left out: A and B together.
        double meanPed = (33199 * 20.0 + 33279 * 40.0 + 66560 * 100.0) / (66478 + 66560);
        double meanGain = (33199 * 60.0 + 33280 * 100.0 + 66560 * 200.0) / (66479 + 66560);
        Assert.Equal((float)meanPed, build.Summary.MeanPedestal);
        Assert.Equal((float)meanGain, build.Summary.MeanGain);
        // The hand codes, pinned: 20 -> 86, 40 -> 101, 100 -> 144, module mean 30.02 -> 93, global 65.03 -> 119;
        // gain 60 -> 30, 100 -> 50, 200 -> 101, module mean 80.02 -> 40, global 140.05 -> 70.
        Assert.Equal(new byte[] { 86, 101, 144, 93, 119 }, new[] { Ped(20), Ped(40), Ped(100), Ped(modPed), Ped(meanPed) });
        Assert.Equal(new byte[] { 30, 50, 101, 40, 70 }, new[] { Gain(60), Gain(100), Gain(200), Gain(modGain), Gain(meanGain) });

        var offline = build.Payloads[PayloadKind.Offline];
        Assert.Equal(3 * 67392, offline.DataLength);
        Assert.Equal([A.Raw, B.Raw, C.Raw], offline.Registry.Select(e => e.DetId));
        Assert.True(offline.TryGetModule(A.Raw, out var a));
        Assert.Equal(new ModuleRegistryEntry(A.Raw, 0, 67392, 416), a);
        var bytesA = offline.ModuleBytes(a);

        // Column 0: rows 0-79 pedestal 86 except the failed pixel (module mean, 93); its half's gain is the mean of
        // the 79 good pixels (60 -> 30); rows 80-159 pedestal 101 and gain 50.
        var col0 = Enumerable.Repeat((byte)86, 80).ToArray();
        col0[3] = 93;
        byte[] expected0 = [.. col0, 30, .. Enumerable.Repeat((byte)101, 80), 50];
        Assert.Equal(expected0, bytesA[..162].ToArray());
        // Column 1: the unfitted half takes the module means for every pixel and for the column gain.
        byte[] expected1 = [.. Enumerable.Repeat((byte)93, 80), 40, .. Enumerable.Repeat((byte)101, 80), 50];
        Assert.Equal(expected1, bytesA.Slice(162, 162).ToArray());
        // Column 2: the 260 pedestal is replaced by the module mean and left out of its half's average.
        Assert.Equal(93, bytesA[2 * 162 + 81 + 20]);
        Assert.Equal(50, bytesA[2 * 162 + 161]);

        // Module B: every pedestal 144, both column gains 101.
        Assert.True(offline.TryGetModule(B.Raw, out var b));
        Assert.Equal(67392u, b.IBegin);
        Assert.All(Enumerable.Range(0, 416), c =>
        {
            var col = offline.ModuleBytes(b).Slice(c * 162, 162);
            Assert.Equal(101, col[80]);
            Assert.Equal(101, col[161]);
            Assert.Equal(160, col.ToArray().Count(x => x == 144));
        });

        // Module C is absent from the input: the uploader's defaults, global means everywhere.
        Assert.True(offline.TryGetModule(C.Raw, out var c));
        var bytesC = offline.ModuleBytes(c).ToArray();
        Assert.Equal(416 * 160, bytesC.Count(x => x == 119));
        Assert.Equal(416 * 2, bytesC.Count(x => x == 70));

        // HLT: (gain, pedestal) per column half; column 1's first half holds the module means.
        var hlt = build.Payloads[PayloadKind.Hlt];
        Assert.Equal(3 * 1664, hlt.DataLength);
        Assert.True(hlt.TryGetModule(A.Raw, out var ha));
        Assert.Equal(new byte[] { 30, 86, 50, 101, 40, 93, 50, 101 }, hlt.ModuleBytes(ha)[..8].ToArray());

        // Full: (gain, pedestal) per pixel, column-major; the failed pixel holds the module means.
        var full = build.Payloads[PayloadKind.Full];
        Assert.Equal(3 * 133120, full.DataLength);
        Assert.True(full.TryGetModule(A.Raw, out var fa));
        Assert.Equal(new byte[] { 30, 86, 30, 86, 30, 86, 40, 93, 30, 86 }, full.ModuleBytes(fa)[..10].ToArray());
        Assert.Equal(new byte[] { 40, 93 }, full.ModuleBytes(fa).Slice(2 * 320 + 2 * 100, 2).ToArray());
        Assert.Equal(new byte[] { 50, 101 }, full.ModuleBytes(fa).Slice(2 * 320 + 2 * 101, 2).ToArray());
    }

    [Fact]
    public void Uploader_bookkeeping_counts_the_modules_as_the_reference_prints_them()
    {
        using var dir = new TempDirectory();
        var input = PayloadTestData.Input(dir, (A.Raw, ModuleA), (B.Raw, ModuleB));
        var s = GainPayloadBuilder.Build(input, [PayloadKind.Offline], modules: [A, B, C]).Summary;
        Assert.Equal(1, s.ModulesEmpty);                // C
        // A: the last assignment wins; its last fault is the substituted pixel of column 2 (after column 1's empty half).
        Assert.Equal(1, s.ModulesWithDefaultPixels);
        Assert.Equal(0, s.ModulesWithDefaultColumns);
        Assert.Equal((3, 2, 1), (s.Modules, s.ModulesWithData, s.ModulesMissing));
        Assert.Equal(66479 + 66560, s.PixelsWithFit);
        Assert.Equal(82, s.PixelsSubstituted);
        Assert.Equal(3L * 66560, s.Channels);
    }

    [Fact]
    public void Fewer_than_101_fitted_pixels_fall_back_to_the_global_means()
    {
        using var dir = new TempDirectory();
        // A has only 100 fitted pixels (pedestal 0, gain 10): its own mean must not be used.
        var input = PayloadTestData.Input(dir,
            (A.Raw, (row, col) => col == 0 && row < 100 ? (1, 10f, 0f) : null),
            (B.Raw, ModuleB));
        var build = GainPayloadBuilder.Build(input, [PayloadKind.Offline], modules: [A, B]);
        double meanPed = (100 * 0.0 + 66560 * 100.0) / 66660, meanGain = (100 * 10.0 + 66560 * 200.0) / 66660;
        var p = build.Payloads[PayloadKind.Offline];
        Assert.True(p.TryGetModule(A.Raw, out var a));
        var col5 = p.ModuleBytes(a).Slice(5 * 162, 162);
        Assert.Equal(Ped(meanPed), col5[0]);
        Assert.Equal(Gain(meanGain), col5[80]);
        // With 101 fitted pixels the module mean takes over.
        var input101 = PayloadTestData.Input(dir,
            (A.Raw, (row, col) => col == 0 && row < 101 ? (1, 10f, 0f) : null),
            (B.Raw, ModuleB));
        var p101 = GainPayloadBuilder.Build(input101, [PayloadKind.Offline], modules: [A, B]).Payloads[PayloadKind.Offline];
        Assert.True(p101.TryGetModule(A.Raw, out var a101));
        Assert.Equal(Ped(0), p101.ModuleBytes(a101)[5 * 162]);
        Assert.Equal(Gain(10), p101.ModuleBytes(a101)[5 * 162 + 80]);
    }

    [Fact]
    public void Without_useMeanWhenEmpty_failed_pixels_and_empty_columns_are_dead()
    {
        using var dir = new TempDirectory();
        var input = PayloadTestData.Input(dir, (A.Raw, ModuleA));
        var settings = UploaderSettings.Reference with { UseMeanWhenEmpty = false };
        var build = GainPayloadBuilder.Build(input, PayloadKinds.All, settings, modules: [A]);
        var off = build.Payloads[PayloadKind.Offline];
        Assert.True(off.TryGetModule(A.Raw, out var a));
        var px = off.ReadPixel(a, 0, 3);
        Assert.True(px.PedestalDead);
        Assert.False(px.GainDead);
        var emptyHalf = off.ReadPixel(a, 1, 10);
        Assert.True(emptyHalf.PedestalDead && emptyHalf.GainDead);
        Assert.False(off.ReadPixel(a, 1, 90).GainDead);
        Assert.True(build.Payloads[PayloadKind.Hlt].TryGetModule(A.Raw, out var h));
        var hp = build.Payloads[PayloadKind.Hlt].ReadPixel(h, 1, 0);
        Assert.True(hp.PedestalDead && hp.GainDead);
        Assert.True(build.Payloads[PayloadKind.Full].TryGetModule(A.Raw, out var f));
        var fp = build.Payloads[PayloadKind.Full].ReadPixel(f, 2, 100);
        Assert.True(fp.PedestalDead && fp.GainDead);
        Assert.Equal(1, build.Summary.ModulesWithDeadPixels);
        Assert.Equal(0, build.Summary.ModulesWithDeadColumns);
    }

    [Fact]
    public void Without_any_data_every_module_is_dead()
    {
        using var dir = new TempDirectory();
        var input = PayloadTestData.Input(dir);
        var build = GainPayloadBuilder.Build(input, [PayloadKind.Offline, PayloadKind.Hlt], modules: [A, C]);
        Assert.Equal(0f, build.Summary.MeanGain);
        Assert.All(build.Payloads.Values, p => Assert.True(p.Data.IndexOfAnyExcept(GainEncoding.DeadFlag) < 0));
        Assert.Equal(2, build.Summary.ModulesEmpty);
    }

    [Fact]
    public void Gains_and_pedestals_at_the_range_edges_are_substituted()
    {
        using var dir = new TempDirectory();
        // The uploader's tests are strict: gain 500 and pedestal 250 or -100 are not good pixels.
        var input = PayloadTestData.Input(dir, (A.Raw, (row, col) => col == 0 && row == 0 ? (1, 500f, 20f)
            : col == 0 && row == 1 ? (1, 60f, 250f) : col == 0 && row == 2 ? (1, 60f, -100f) : (1, 60f, 20f)));
        var off = GainPayloadBuilder.Build(input, [PayloadKind.Offline], modules: [A]).Payloads[PayloadKind.Offline];
        Assert.True(off.TryGetModule(A.Raw, out var a));
        // Module mean over all fitted pixels, no range cut.
        double modPed = (66557 * 20.0 + 20 + 250 - 100) / 66560;
        Assert.Equal(Ped(modPed), off.ReadPixel(a, 0, 0).PedestalCode);
        Assert.Equal(Ped(modPed), off.ReadPixel(a, 0, 1).PedestalCode);
        Assert.Equal(Ped(modPed), off.ReadPixel(a, 0, 2).PedestalCode);
        Assert.Equal(Ped(20), off.ReadPixel(a, 0, 3).PedestalCode);
        Assert.Equal(Gain(60), off.ReadPixel(a, 0, 0).GainCode);
    }

    [Fact]
    public void Decoded_payload_reproduces_every_pixel_within_one_step()
    {
        using var dir = new TempDirectory();
        var rng = new Random(7);
        var truth = new (float Gain, float Ped)[416, 160];
        for (int c = 0; c < 416; c++)
            for (int r = 0; r < 160; r++)
                truth[c, r] = ((float)(40 + 80 * rng.NextDouble()), (float)(-50 + 200 * rng.NextDouble()));
        var input = PayloadTestData.Input(dir, (A.Raw, (row, col) => (1, truth[col, row].Gain, truth[col, row].Ped)));
        var full = GainPayloadBuilder.Build(input, [PayloadKind.Full], modules: [A]).Payloads[PayloadKind.Full];
        Assert.True(full.TryGetModule(A.Raw, out var a));
        var enc = full.Encoding;
        for (int c = 0; c < 416; c++)
            for (int r = 0; r < 160; r++)
            {
                var px = full.ReadPixel(a, c, r);
                Assert.InRange(truth[c, r].Ped - px.Pedestal, -1e-4, enc.PedestalStep + 1e-4);
                Assert.InRange(truth[c, r].Gain - px.Gain, -1e-4, enc.GainStep + 1e-4);
            }
    }

    [Fact]
    public void Global_means_follow_the_uploaders_histograms_and_include_unknown_detids()
    {
        using var dir = new TempDirectory();
        const uint unknown = 12345;
        (int, float, float)? Pixel(int row, int col) => (row, col) switch
        {
            (0, 0) or (1, 0) or (2, 0) => (1, 50f, 10f),
            (3, 0) => (1, 500f, 10f),       // gain at the histogram's upper edge: overflow, not in the gain mean
            (4, 0) => (1, 50f, 250f),       // pedestal at the upper edge: overflow
            (5, 0) => (1, 50f, -250f),      // pedestal below -200: underflow
            (6, 0) => (1, 0.00005f, 30f),   // gain <= 0.0001 skipped for the gain mean, the pedestal still counts
            (7, 0) => (1, -5f, 70f),        // gain <= 0: the pixel is skipped for both means
            _ => null,
        };
        var input = PayloadTestData.Input(dir, (unknown, Pixel));
        var build = GainPayloadBuilder.Build(input, [PayloadKind.Offline], modules: [A]);
        Assert.Equal(50f, build.Summary.MeanGain);
        Assert.Equal((10f * 4 + 30f) / 5, build.Summary.MeanPedestal);
        Assert.Equal([unknown], build.Summary.UnknownModules);
        // Module A is absent: the global means everywhere, 14 ADC -> 82, 50 e-/ADC -> 25.
        var p = build.Payloads[PayloadKind.Offline];
        Assert.True(p.TryGetModule(A.Raw, out var a));
        Assert.Equal((Ped(14), Gain(50)), (p.ReadPixel(a, 100, 100).PedestalCode, p.ReadPixel(a, 100, 100).GainCode));
        Assert.Equal(((byte)82, (byte)25), (Ped(14), Gain(50)));
        Assert.False(p.TryGetModule(unknown, out _));
    }
}
