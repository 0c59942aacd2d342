using GainCal.Detector;
using GainCal.Reports;
using GainCal.Results;

namespace GainCal.Tests.Reports;

/// <summary>Drift against a reference calibration on tables with planted shifts.</summary>
public class DriftCheckTests
{
    private static readonly DetId A = DetId.BPix(1, 1, 1), B = DetId.BPix(1, 2, 1), Disk = DetId.FPix(2, 1, 3, 1);

    /// <summary>Gain 100 in A, 120 in B, 90 in the disk module, pedestal 25, times the given factors.</summary>
    private static PixelTable Table(uint run, float layer1Gain = 1, float diskPedestal = 0, bool deadRoc = false)
    {
        var t = SyntheticTables.Modules(run, [A, B, Disk]);
        for (var i = 0; i < t.RowCount; i++)
        {
            var id = t[i].DetId;
            t.Gain[i] = id == A.Raw ? 100 * layer1Gain : id == B.Raw ? 120 * layer1Gain : 90;
            t.Pedestal[i] = id == Disk.Raw ? 25 + diskPedestal : 25;
        }
        if (deadRoc) SyntheticTables.KillRoc(t, B, 5, 0);
        return t;
    }

    [Fact]
    public void Planted_shifts_are_listed_per_layer_and_module_and_nothing_else()
    {
        var reference = SummaryBuilder.Build(Table(10));
        var drift = DriftCheck.Compare(SummaryBuilder.Build(Table(11, layer1Gain: 1.06f, diskPedestal: 3, deadRoc: true)), reference);
        Assert.Equal((11u, 10u, 3), (drift.Run, drift.ReferenceRun, drift.CommonModules));
        var l1 = drift.Groups.Single(g => g.Name == "L1");
        // mean(106, 127.2) / mean(100, 120) - 1 = 6 %; bad fits: one ROC of 2 x 66,560 pixels.
        Assert.Equal(0.06, l1.Gain, 6);
        Assert.Equal(4160 / (2.0 * 66560), l1.BadFitFraction, 12);
        Assert.True(l1.GainBeyond && l1.BadFitBeyond && !l1.PedestalBeyond);
        var disk = drift.Groups.Single(g => g.Name == "D+1 R1");
        Assert.Equal((0.0, 3.0), (disk.Gain, disk.Pedestal));
        Assert.True(disk.PedestalBeyond && !disk.GainBeyond);
        Assert.Equal(3, drift.Lines.Count);
        Assert.Matches(@"^L1: gain \+6\.0 %, bad fits \+3\.1\d % of pixels since run 10$", drift.Lines[0]);
        Assert.Equal(["D+1 R1: pedestal +3.00 ADC since run 10", "3 of 3 modules beyond a threshold since run 10."], drift.Lines.Skip(1));
        Assert.Equal(4160 / 66560.0, drift.Modules.Single(m => m.Name == B.ModuleName).BadFitFraction, 12);

        var quiet = DriftCheck.Compare(SummaryBuilder.Build(Table(12, layer1Gain: 1.02f)), reference);
        Assert.DoesNotContain(quiet.Groups, g => g.Beyond);
        Assert.StartsWith("No layer or disk/ring moved beyond gain 3 %", Assert.Single(quiet.Lines));
        var strict = DriftCheck.Compare(SummaryBuilder.Build(Table(12, layer1Gain: 1.02f)), reference, new DriftThresholds(Gain: 0.01));
        Assert.StartsWith("L1: gain +2.0 %", strict.Lines[0]);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void The_summary_pdf_states_the_drift_since_the_reference()
    {
        Poppler.RequireOrSkip();
        using var dir = new TempDirectory();
        Table(10).Write(dir.File("ref.parquet"));
        Table(11, layer1Gain: 1.06f).Write(dir.File("run.parquet"));
        var r = ReportCommandTests.Gaincal("summary", dir.File("run.parquet"), "--reference", dir.File("ref.parquet"));
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("drift: L1: gain +6.0 % since run 10", r.Out);
        var pdf = Path.Combine(dir.Path, "summary", SummaryReport.PdfName);
        Assert.Contains("L1: gain +6.0 % since run 10", Poppler.Run("pdftotext", pdf, "-"));
        File.Delete(pdf);
        Assert.Equal(0, ReportCommandTests.Gaincal("summary", dir.File("run.parquet"), "--pdf-only").Code);
        Assert.Contains("L1: gain +6.0 % since run 10", Poppler.Run("pdftotext", pdf, "-"));
    }
}
