using System.CommandLine;
using GainCal.Calibration;
using GainCal.Cli.Commands;
using GainCal.Detector;
using GainCal.Payloads;
using GainCal.Results;
using GainCal.Simulation;

namespace GainCal.Tests.Payloads;

public class PayloadCommandsTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var root = new RootCommand { PayloadCommands.Create(), VCalCommands.Create() };
        var o = new StringWriter();
        var e = new StringWriter();
        int code = root.Parse(args).Invoke(new InvocationConfiguration { Output = o, Error = e });
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void Payload_from_a_CSV_writes_every_module_and_inspect_shows_bytes_and_decoded_pixels()
    {
        using var dir = new TempDirectory();
        var a = DetId.FPix(2, 3, 40, 2);
        var csv = PayloadTestData.WriteCsv(dir.File("pixels.csv"), (a.Raw, (row, col) => (1, 50f + row % 3, 30f)));
        var (code, output, error) = Run("payload", csv, "2026", "3", "-o", dir.Path, "--kinds", "hlt");
        Assert.True(code == 0, error);
        Assert.Contains("1855 modules were empty and now have pixels filled with default values.", output);
        var hlt = dir.File("SiPixelGainCalibration_2026_v3_hlt.db");
        Assert.Contains($"wrote {hlt}: tag SiPixelGainCalibration_2026_v3_hlt, 1856 modules, 3,088,384 bytes (1,664 per module)", output);
        Assert.False(File.Exists(dir.File("SiPixelGainCalibration_2026_v3_offline.db")));
        using (var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(dir.File("SiPixelGainCalibration_2026_v3_hlt.txt"))))
        {
            Assert.Equal("oracle://cms_orcoff_prep/CMS_CONDITIONS", json.RootElement.GetProperty("destinationDatabase").GetString());
            Assert.Equal(System.Text.Json.JsonValueKind.Null, json.RootElement.GetProperty("since").ValueKind);
            Assert.Contains("SiPixelGainCalibrationForHLT of 1856 modules", json.RootElement.GetProperty("userText").GetString());
        }
        var (bad, badOut, badErr) = Run("payload", csv, "2026", "3", "-o", dir.Path, "--destination", "production");
        Assert.Equal((1, ""), (bad, badOut));
        Assert.Contains("destination database 'production': use prod (oracle://cms_orcon_prod/CMS_CONDITIONS) or prep", badErr);

        var (icode, iout, ierr) = Run("payload", "inspect", hlt, "--detid", a.Raw.ToString(), "--col", "2", "--csv", dir.File("m.csv"));
        Assert.True(icode == 0, ierr);
        Assert.Contains("tag      SiPixelGainCalibration_2026_v3_hlt", iout);
        Assert.Contains("IOV      since 1 -> payload", iout);
        Assert.Contains("archive  class SiPixelGainCalibrationForHLT, boost portable binary archive version 18, written by GainCal_", iout);
        Assert.Contains("float arithmetic", iout);
        Assert.Contains($"module   {a.Raw} {a.ModuleName}", iout);
        // Column 0: pedestal 30 -> code floor(130 / (350/253)) = 93 = 0x5D; the gain averages of rows 0-79
        // (50, 51, 52 cycling: 50.99) and rows 80-159 (51.0) -> code 25 = 0x19; bytes (gain, pedestal) per half.
        Assert.Contains("col   0: 195D195D", iout);
        var lines = File.ReadAllLines(dir.File("m.csv"));
        Assert.Equal(66561, lines.Length);
        Assert.StartsWith($"{a.Raw},0,0,93,25,", lines[1]);
    }

    [Fact]
    public void Compare_states_class_and_archive_version_and_finds_the_one_changed_module()
    {
        using var dir = new TempDirectory();
        var a = DetId.BPix(3, 7, 6);
        var first = PayloadTestData.WriteCsv(dir.File("a.csv"), (a.Raw, (row, col) => (1, 50f, 30f)));
        var second = PayloadTestData.WriteCsv(dir.File("b.csv"), (a.Raw, (row, col) => (1, col == 5 ? 80f : 50f, 30f)));
        Assert.Equal(0, Run("payload", first, "2026", "0", "-o", dir.File("a"), "--kinds", "hlt").Code);
        Assert.Equal(0, Run("payload", second, "2026", "0", "-o", dir.File("b"), "--kinds", "hlt").Code);
        string name = "SiPixelGainCalibration_2026_v0_hlt.db";
        var (code, output, error) = Run("payload", "compare", Path.Combine(dir.File("a"), name), Path.Combine(dir.File("b"), name));
        Assert.True(code == 0, error);
        Assert.Contains("class SiPixelGainCalibrationForHLT, boost archive version 18, written by GainCal_", output);
        Assert.Contains("encoding the same", output);
        Assert.Contains("modules: 1855 identical, 1 differ, 0 only in the first, 0 only in the second", output);
        // Column 5's gain average moves from 50 to 80 e-/ADC in both halves: 160 pixels decode differently.
        Assert.Contains($"pixels that decode differently: 160; largest |pedestal difference| 0 ADC", output);
        Assert.Contains($"(e.g. module {a.Raw} {a.ModuleName})", output);

        var vcal = dir.File("v.db");
        Assert.Equal(0, Run("vcal", "db", "--tag", "v", "--bpix", "1,1,1,1", "--fpix", "1,1", "-o", vcal).Code);
        var (bad, _, badError) = Run("payload", "compare", Path.Combine(dir.File("a"), name), vcal);
        Assert.Equal(1, bad);
        Assert.Equal($"gaincal payload compare: {vcal}: tag v holds SiPixelVCal, expected SiPixelGainCalibrationOffline or SiPixelGainCalibrationForHLT or SiPixelGainCalibration", badError.Trim());
    }

    [Fact]
    public void Inspect_refuses_a_bad_col_before_printing_anything_and_its_help_shows_how_it_is_typed()
    {
        using var dir = new TempDirectory();
        var a = DetId.BPix(1, 2, 2);
        var csv = PayloadTestData.WriteCsv(dir.File("pixels.csv"), (a.Raw, (row, col) => (1, 50f, 30f)));
        var (code, _, error) = Run("payload", csv, "2026", "0", "-o", dir.Path, "--kinds", "hlt");
        Assert.True(code == 0, error);
        var hlt = dir.File("SiPixelGainCalibration_2026_v0_hlt.db");
        var (icode, iout, ierr) = Run("payload", "inspect", hlt, "--detid", a.Raw.ToString(), "--col", "999");
        Assert.Equal(1, icode);
        Assert.Equal("", iout);
        Assert.Equal("gaincal payload inspect: --col 999: give a module column 0..415 together with --detid", ierr.Trim());
        (icode, iout, _) = Run("payload", "inspect", hlt, "--col", "3");
        Assert.Equal(1, icode);
        Assert.Equal("", iout);

        var help = GainCal.Tests.Reports.ReportCommandTests.Gaincal("payload", "inspect", "--help");
        Assert.Equal(0, help.Code);
        var usage = help.Out.Split('\n').SkipWhile(l => l != "Usage:").Skip(1).First();
        Assert.Equal("  gaincal payload inspect <file.db> [options]", usage);
        Assert.DoesNotContain("<year>", help.Out);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Whole_detector_offline_payload_has_67392_bytes_per_module()
    {
        using var dir = new TempDirectory();
        var a = DetId.BPix(3, 3, 3);
        var csv = PayloadTestData.WriteCsv(dir.File("pixels.csv"), (a.Raw, (row, col) => (1, 50f + row % 3, 30f)));
        var (code, output, error) = Run("payload", csv, "2026", "3", "-o", dir.Path, "--kinds", "offline,full");
        Assert.True(code == 0, error);
        Assert.Contains("1856 modules, 125,079,552 bytes (67,392 per module)", output);
        Assert.Contains("1856 modules, 247,070,720 bytes (133,120 per module)", output);
        var (icode, iout, _) = Run("payload", "inspect", dir.File("SiPixelGainCalibration_2026_v3_offline.db"), "--detid", a.Raw.ToString());
        Assert.Equal(0, icode);
        Assert.Contains("col   0: " + string.Concat(Enumerable.Repeat("5D", 80)) + "19" + string.Concat(Enumerable.Repeat("5D", 80)) + "19", iout);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void The_CSV_of_gaincal_export_gives_the_same_payloads_as_its_table()
    {
        using var dir = new TempDirectory();
        var dump = dir.File("GainCalibration_1200_7.dmp");
        FedSimulator.Write(dump, 1200, FedCalibrationSetup.Default, new SimulationOptions { Run = 7, Seed = 5, RocsPerFed = 3 });
        var table = new FedPipeline(FedCalibrationSetup.Default).Run(dump).Table;
        table.Write(dir.File("1200.parquet"));
        ExportCommand.Write(table, dir.File("1200.csv"));

        var fromTable = Run("payload", dir.File("1200.parquet"), "2026", "0", "-o", dir.File("t"));
        Assert.True(fromTable.Code == 0, fromTable.Err);
        var fromCsv = Run("payload", dir.File("1200.csv"), "2026", "0", "-o", dir.File("c"));
        Assert.True(fromCsv.Code == 0, fromCsv.Err);
        Assert.Contains($"{table.RowCount:N0} pixels in 1 modules", fromCsv.Out);
        var good = fromTable.Out.Split('\n').Single(l => l.Contains("pixels with a fit"));
        Assert.DoesNotContain("good fits 0 ", good);
        Assert.Contains(good, fromCsv.Out);
        foreach (var name in new[] { "SiPixelGainCalibration_2026_v0_offline.db", "SiPixelGainCalibration_2026_v0_hlt.db" })
            Assert.Equal(GainPayloadFile.Read(Path.Combine(dir.File("t"), name)).Payload.Serialize(),
                GainPayloadFile.Read(Path.Combine(dir.File("c"), name)).Payload.Serialize());
    }

    [Fact]
    public void A_CSV_naming_a_pixel_twice_is_refused_with_both_lines()
    {
        using var dir = new TempDirectory();
        var a = DetId.BPix(2, 5, 3).Raw;
        var csv = dir.File("dup.csv");
        File.WriteAllText(csv, $"detid,row,col,status,gain,pedestal\n{a},3,7,1,50,20\n{a},4,7,1,51,21\n\n{a},3,7,1,52,22\n");
        var (code, _, error) = Run("payload", csv, "2026", "0", "-o", dir.Path);
        Assert.Equal(1, code);
        Assert.Equal($"gaincal payload: {csv}: line 5: detid {a} row 3 col 7 is already on line 2; each pixel must appear once", error.Trim());
        Assert.False(File.Exists(dir.File("SiPixelGainCalibration_2026_v0_hlt.db")));

        File.WriteAllText(csv, $"fed,row,col,detid,module_row,module_col,status,gain,pedestal\n1200,3,7,{a},160,7,1,50,20\n");
        (code, _, error) = Run("payload", csv, "2026", "0", "-o", dir.Path);
        Assert.Equal(1, code);
        Assert.Contains($"{csv}: line 2: module_row '160' is not a module row 0..159", error);

        File.WriteAllText(csv, $"detid,row,col,module_col,status,gain,pedestal\n{a},3,7,7,1,50,20\n");
        (code, _, error) = Run("payload", csv, "2026", "0", "-o", dir.Path);
        Assert.Equal(1, code);
        Assert.Contains($"{csv}: line 1: header has module_col but no module_row; give both or neither", error);
    }

    [Fact]
    public void Payload_errors_are_one_line_and_name_the_input()
    {
        using var dir = new TempDirectory();
        var (code, _, error) = Run("payload", dir.File("nope.csv"), "2025", "0");
        Assert.Equal(1, code);
        Assert.Contains("nope.csv: no such file", error);
        (code, _, error) = Run("payload", "386000", "2025", "0");
        Assert.Equal(1, code);
        Assert.Contains("--run-dir", error);
        (code, _, error) = Run("payload", "386000", "2025", "0", "--run-dir", dir.Path);
        Assert.Equal(1, code);
        Assert.Contains("GainCalibration.parquet: no merged results table for run 386000", error);
        File.WriteAllText(dir.File("p.csv"), "detid,row,col,status,gain,pedestal\n");
        (code, _, error) = Run("payload", dir.File("p.csv"), "2025", "0", "--kinds", "offline,gpu");
        Assert.Equal(1, code);
        Assert.Contains("unknown payload kind 'gpu'", error);
        (code, _, error) = Run("payload", "inspect", dir.File("p.csv"));
        Assert.Equal(1, code);
        Assert.Contains("p.csv", error);
    }

    [Fact]
    public void Vcal_corrections_prints_the_factors_and_db_writes_the_object()
    {
        using var dir = new TempDirectory();
        var lumi = PayloadTestData.DataFile("vcal-lumi.txt");
        var (code, output, error) = Run("vcal", "corrections", "--lumi", lumi, "--plot", dir.File("dose.png"));
        Assert.True(code == 0, error);
        Assert.Contains("corrs_bpix = {1: 1.101, 2: 1.065, 3: 1.047, 4: 1.029}", output);
        Assert.Contains("corrs_fpix = {1: 1.1449, 2: 1.1004}", output);
        Assert.True(File.Exists(dir.File("dose.png")));

        (code, output, error) = Run("vcal", "db", "--tag", "SiPixelVCal_phase1_2026_v0", "--lumi", lumi, "-o", dir.File("v.db"), "--text", dir.File("v.txt"));
        Assert.True(code == 0, error);
        Assert.Contains("1856 modules, IOV since 1", output);
        var read = VCalDb.Read(dir.File("v.db"));
        Assert.Equal(1856, read.Count);
        Assert.Equal(new VCalEntry((float)(45.7 * 1.101), -308f), read[DetId.BPix(1, 2, 2).Raw]);

        (code, _, error) = Run("vcal", "db", "--tag", "SiPixelVCal_phase1_2031_v9", "--lumi", lumi, "-o", dir.File("w.db"));
        Assert.Equal(1, code);
        Assert.Contains("tag 2031_v9 is not in the luminosity table", error);
        (code, output, _) = Run("vcal", "db", "--tag", "manual", "--bpix", "1.095,1.056,1.039,1.023", "--fpix", "1.1397,1.0914", "-o", dir.File("m.db"));
        Assert.Equal(0, code);
        Assert.Equal(new VCalEntry((float)(47 * 1.1397), -60f), VCalDb.Read(dir.File("m.db"))[DetId.FPix(1, 1, 1, 1).Raw]);
    }

    [Fact]
    public void Vcal_refuses_negative_luminosities_and_tag_names_that_are_not_file_names()
    {
        using var dir = new TempDirectory();
        var lumi = dir.File("lumi.txt");
        foreach (var (table, message) in new[]
        {
            ("2026_v0 -50\n", "line 1: negative cumulative luminosity '-50' for tag 2026_v0"),
            ("2025_v0 10\n2026_v0 +-3\n", "line 2: negative increment '+-3' for tag 2026_v0"),
            ("run2 49.97 -1\n2026_v0 5\n", "line 1: negative Run-2 luminosity (49.97, -1)"),
        })
        {
            File.WriteAllText(lumi, table);
            var (code, output, error) = Run("vcal", "corrections", "--lumi", lumi);
            Assert.Equal(1, code);
            Assert.Equal("", output);
            Assert.Equal($"gaincal vcal corrections: {lumi}: {message}; a delivered luminosity is >= 0", error.Trim());
        }

        var cwd = Directory.GetCurrentDirectory();
        foreach (var name in new[] { "", " ", "a/b", "../x", ".hidden", "-x", "tag name", "a\\b" })
        {
            var (code, output, error) = Run("vcal", "db", "--tag", name, "--bpix", "1,1,1,1", "--fpix", "1,1", "-o", dir.File("v.db"));
            Assert.Equal(1, code);
            Assert.Equal("", output);
            Assert.StartsWith($"gaincal vcal db: --tag '{name}': a tag name is letters, digits, '_', '-' and '.'", error);
        }
        Assert.False(File.Exists(dir.File("v.db")));
        Assert.False(Directory.Exists(Path.Combine(cwd, "a")));
    }

    [Fact]
    public void A_run_number_reads_the_run_directorys_table_and_writes_next_to_it()
    {
        using var dir = new TempDirectory();
        var a = DetId.BPix(4, 10, 2);
        var table = new GainCal.Results.PixelTable(386000, 2);
        (table.DetId[0], table.ModuleRow[0], table.ModuleCol[0], table.Status[0], table.Gain[0], table.Pedestal[0]) = (a.Raw, 0, 0, 1, 60f, 20f);
        (table.DetId[1], table.ModuleRow[1], table.ModuleCol[1], table.Status[1], table.Gain[1], table.Pedestal[1]) = (a.Raw, 1, 0, 1, 62f, 22f);
        table.Write(dir.File("GainCalibration.parquet"));
        var (code, output, error) = Run("payload", "386000", "2025", "1", "--run-dir", dir.Path, "--kinds", "hlt",
            "--destination", "prod", "--since", "386000", "--user-text", "gains of run 386000");
        Assert.True(code == 0, error);
        var hlt = Path.Combine(dir.Path, "Payload_Run386000", "SiPixelGainCalibration_2025_v1_hlt.db");
        Assert.Contains($"wrote {hlt}", output);
        // The upload tool's metadata beside the file: what its wizard writes (json.dumps, sort_keys, indent 4).
        var metadata = Path.ChangeExtension(hlt, ".txt");
        Assert.Contains($"wrote {metadata}: upload metadata", output);
        Assert.Equal("""
            {
                "destinationDatabase": "oracle://cms_orcon_prod/CMS_CONDITIONS",
                "destinationTags": {
                    "SiPixelGainCalibration_2025_v1_hlt": {}
                },
                "inputTag": "SiPixelGainCalibration_2025_v1_hlt",
                "since": 386000,
                "userText": "gains of run 386000"
            }

            """.Replace("\r\n", "\n"), File.ReadAllText(metadata));
        var f = GainPayloadFile.Read(hlt);
        Assert.True(f.Payload.TryGetModule(a.Raw, out var e));
        // Column 0, rows 0-79: average of the two fitted pixels, 21 ADC and 61 e-/ADC.
        var px = f.Payload.ReadPixel(e, 0, 0);
        Assert.Equal(((byte)Math.Floor(121 / (350.0 / 253)), (byte)Math.Floor(61 / (500.5 / 253))), (px.PedestalCode, px.GainCode));
    }
}
