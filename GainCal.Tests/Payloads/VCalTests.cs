using GainCal.Detector;
using GainCal.Payloads;

namespace GainCal.Tests.Payloads;

public class VCalTests
{
    private static LumiTable Shipped => LumiTable.Load(PayloadTestData.DataFile("vcal-lumi.txt"));

    [Fact]
    public void The_2025_v0_production_figures_come_back_with_the_seeds_increment()
    {
        // 2025_v0 was produced with +123.280322777 fb^-1 after 2024_v1 (the table was "fixed" later).
        var table = LumiTable.Parse("""
            run2 49.97 65.77
            2023_v0 41.97
            2023_v1 62.57
            2023_v3 +10.843993752
            2024_v0 +0.000401619
            2024_v1 +29.214249009
            2025_v0 +123.280322777
            """, "seed");
        var c = DoseModel.Compute(table, "2025_v0");
        Assert.Equal("corrs_bpix = {1: 1.095, 2: 1.056, 3: 1.039, 4: 1.023}", c.BpixText);
        Assert.Equal("corrs_fpix = {1: 1.1397, 2: 1.0914}", c.FpixText);
    }

    [Fact]
    public void The_current_table_gives_2026_v0_and_the_fixed_2025_v0()
    {
        var all = DoseModel.Compute(Shipped).ToDictionary(c => c.Tag);
        Assert.Equal("corrs_bpix = {1: 1.101, 2: 1.065, 3: 1.047, 4: 1.029}", all["2026_v0"].BpixText);
        Assert.Equal("corrs_fpix = {1: 1.1449, 2: 1.1004}", all["2026_v0"].FpixText);
        Assert.Equal("corrs_bpix = {1: 1.092, 2: 1.052, 3: 1.036, 4: 1.021}", all["2025_v0"].BpixText);
        Assert.Equal("corrs_fpix = {1: 1.1373, 2: 1.0882}", all["2025_v0"].FpixText);
        Assert.Equal("corrs_bpix = {1: 1.095, 2: 1.055, 3: 1.038, 4: 1.023}", all["2025_v1"].BpixText);
        // The first two tags of the script get one averaged FPix factor for three "rings".
        Assert.Equal(3, all["2023_v0"].Fpix.Count);
        Assert.Equal(2, all["2023_v3"].Fpix.Count);
    }

    [Fact]
    public void Dose_model_closed_form_values()
    {
        Assert.Equal(1.25, DoseModel.Bgv(0), 12);
        // d = 100 Mrad: (1.38 - 0.13 e^-3.13) / 1.25
        Assert.Equal((1.38 - 0.13 * Math.Exp(-3.13)) / 1.25, DoseModel.Correction(100), 12);
        var t = LumiTable.Parse("x 10\ny 20", "t");
        var c = DoseModel.Compute(t, "y");
        Assert.Equal(0.35 * 20, c.LayerDose[1], 12);
        Assert.Equal(0.0717 * (49.97 + 65.77 + 20), c.LayerDose[2], 12);
        Assert.Equal(0.056 * (49.97 + 65.77 + 20), c.RingDose[2], 12);
    }

    [Fact]
    public void Python_rounding_is_correct_rounding_of_the_binary_value()
    {
        Assert.Equal(1.095, DoseModel.PythonRound(1.0954999, 3));
        Assert.Equal(2.67, DoseModel.PythonRound(2.675, 2));   // 2.675 is stored as 2.67499999...
        Assert.Equal(0.5, DoseModel.PythonRound(0.25 + 0.25, 1));
        Assert.Equal(0.12, DoseModel.PythonRound(0.125, 2));   // exact tie goes to even
        Assert.Equal(0.38, DoseModel.PythonRound(0.375, 2));
        Assert.Equal(-1.1, DoseModel.PythonRound(-1.1004, 1));
        Assert.Equal("{1: 1.0, 2: 1.25}", DoseModel.PythonDict(new Dictionary<int, double> { [2] = 1.25, [1] = 1.0 }));
    }

    [Theory]
    [InlineData("2023_v0 +5", "line 1: the first tag needs a cumulative value")]
    [InlineData("a 1\na 2", "line 2: tag a listed twice")]
    [InlineData("run2 49.97", "line 1: expected 'run2 <2017 fb^-1> <2018 fb^-1>'")]
    [InlineData("a 1 2", "line 1: expected '<tag> <fb^-1>'")]
    [InlineData("a x", "line 1: luminosity 'x' is not a finite number")]
    [InlineData("# nothing", "no tag in the luminosity table")]
    public void Bad_luminosity_tables_name_source_and_line(string text, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => LumiTable.Parse(text, "lumi.txt"));
        Assert.StartsWith("lumi.txt", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void VCal_object_has_every_module_with_layer_and_ring_values_in_float()
    {
        var c = DoseModel.Compute(Shipped, "2026_v0");
        var entries = VCalDb.Build(c.Bpix, c.Fpix);
        Assert.Equal(1856, entries.Count);
        // 2026_v0: L1 45.7 x 1.101 = 50.3157, L2 47 x 1.065 = 50.055, L3 49.209, L4 48.363; rings 53.8103, 51.7188.
        Assert.Equal(new VCalEntry((float)(45.7 * 1.101), -308f), entries[DetId.BPix(1, 7, 3).Raw]);
        Assert.Equal(new VCalEntry((float)50.055, -60f), entries[DetId.BPix(2, 28, 8).Raw]);
        Assert.Equal(new VCalEntry((float)49.209, -60f), entries[DetId.BPix(3, 1, 1).Raw]);
        Assert.Equal(new VCalEntry((float)48.363, -60f), entries[DetId.BPix(4, 64, 5).Raw]);
        Assert.Equal(new VCalEntry((float)53.8103, -60f), entries[DetId.FPix(1, 2, 22, 2).Raw]);
        Assert.Equal(new VCalEntry((float)51.7188, -60f), entries[DetId.FPix(2, 3, 23, 1).Raw]);
        Assert.Equal(50.3157f, entries[DetId.BPix(1, 1, 1).Raw].Slope);
        // All 8 modules of a ladder share the value; no disk dependence in FPix.
        Assert.Single(Enumerable.Range(1, 8).Select(m => entries[DetId.BPix(3, 17, m).Raw]).Distinct());
        Assert.Single(Enumerable.Range(1, 3).Select(d => entries[DetId.FPix(2, d, 30, 1).Raw]).Distinct());
    }

    [Fact]
    public void VCal_file_round_trips_and_reads_as_detid_to_slope_and_offset()
    {
        using var dir = new TempDirectory();
        var entries = VCalDb.Build(new Dictionary<int, double> { [1] = 1.095, [2] = 1.056, [3] = 1.039, [4] = 1.023 },
            new Dictionary<int, double> { [1] = 1.1397, [2] = 1.0914 });
        VCalDb.Write(dir.File("SiPixelVCal_phase1_2025_v0.db"), "SiPixelVCal_phase1_2025_v0", entries);
        var (tag, iov, version, read) = VCalDb.ReadWithTag(dir.File("SiPixelVCal_phase1_2025_v0.db"));
        Assert.Equal(("SiPixelVCal_phase1_2025_v0", "SiPixelVCal", 1ul, 18u), (tag.Name, tag.ObjectType, iov.Since, version));
        Assert.Equal(entries, read);
        var (slope, offset) = VCalDb.Read(dir.File("SiPixelVCal_phase1_2025_v0.db"))[DetId.BPix(1, 1, 1).Raw];
        Assert.Equal(((float)50.0415, -308f), (slope, offset));

        VCalDb.WriteText(dir.File("vcal.txt"), entries);
        var line = File.ReadLines(dir.File("vcal.txt")).Skip(1).First().Split(' ');
        Assert.Equal(entries.First().Key, uint.Parse(line[0]));
        Assert.Equal(entries.First().Value.Slope, float.Parse(line[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Dose_plot_is_a_png()
    {
        using var dir = new TempDirectory();
        DosePlot.Save(DoseModel.Compute(Shipped, "2026_v0"), dir.File("dose.png"), 800, 600);
        var head = File.ReadAllBytes(dir.File("dose.png"))[..8];
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, head);
    }
}
