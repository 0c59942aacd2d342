using GainCal.Detector;
using GainCal.Reports;

namespace GainCal.Tests.Reports;

public class RunComparisonTests
{
    private static readonly DetId[] Modules =
    [
        DetId.BPix(1, 2, 3), DetId.BPix(2, 5, 1), DetId.BPix(2, 20, 8), DetId.BPix(3, 11, 4), DetId.BPix(4, 60, 5),
        DetId.FPix(1, 1, 10, 1), DetId.FPix(2, 3, 40, 2),
    ];

    [Fact]
    public void A_table_compared_with_itself_shows_no_difference()
    {
        var t = SyntheticTables.Modules(100, Modules);
        SyntheticTables.KillRoc(t, Modules[3], 2, 0, -2);
        var c = RunComparison.Compare(t, t);
        Assert.True(c.NoDifference);
        Assert.Equal(t.RowCount, c.Matched);
        Assert.Equal(0, c.Recovered);
        Assert.Equal(0, c.Lost);
        Assert.Equal(4160, c.StillBad);
        Assert.All(c.Parts, p => Assert.False(p.Changed));
        Assert.All(c.ModuleList, m => Assert.False(m.Changed));
        Assert.Equal(0, c.RelativeGain[0].Mean);
        Assert.Equal(0, c.DeltaPedestal[1].Rms);
        Assert.StartsWith("No difference", Assert.Single(c.Verdict));
        Assert.Empty(c.DiffLog);
    }

    [Fact]
    public void A_five_percent_gain_change_on_one_layer_is_reported_there_and_nowhere_else()
    {
        var a = SyntheticTables.Modules(100, Modules, seed: 1);
        // Run B: independent pixel noise everywhere (a real second run), and 5 % more gain on BPix layer 2.
        var b = SyntheticTables.Modules(101, Modules, seed: 2);
        for (var i = 0; i < b.RowCount; i++)
            if (new DetId(b.DetId[i]).Layer == 2) b.Gain[i] *= 1.05f;

        var c = RunComparison.Compare(a, b);

        Assert.False(c.NoDifference);
        var changed = Assert.Single(c.Parts, p => p.Changed);
        Assert.Equal("BPix L2", changed.Name);
        Assert.True(changed.GainChanged);
        Assert.False(changed.PedestalChanged);
        Assert.False(changed.StatusChanged);
        Assert.InRange(changed.RelativeGain.Mean, 0.048, 0.052);
        // The spread is the pixel noise of two independent runs: sqrt(2) * 10/150 relative.
        Assert.InRange(changed.RelativeGain.Rms, 0.085, 0.11);
        Assert.All(c.ModuleList, m => Assert.Equal(new DetId(m.DetId).Layer == 2, m.Changed));
        Assert.Contains(c.Verdict, l => l.StartsWith("CHANGED BPix L2: gain +5."));
        Assert.DoesNotContain(c.Verdict, l => l.StartsWith("CHANGED") && !l.Contains("BPix L2"));
    }

    [Fact]
    public void Status_changes_are_counted_as_recovered_lost_and_still_bad()
    {
        var a = SyntheticTables.Modules(1, Modules[..2]);
        var b = SyntheticTables.Copy(a);
        SyntheticTables.KillRoc(a, Modules[0], 4, 0);   // bad in A only: recovered in B
        SyntheticTables.KillRoc(b, Modules[1], 7, -7);  // bad in B only: lost
        SyntheticTables.KillRoc(a, Modules[1], 9, 0);
        SyntheticTables.KillRoc(b, Modules[1], 9, -8);  // bad in both
        var c = RunComparison.Compare(a, b);
        Assert.Equal(4160, c.Recovered);
        Assert.Equal(4160, c.Lost);
        Assert.Equal(4160, c.StillBad);
        Assert.Equal(4160, c.StatusTransitions[0][1]);
        Assert.Equal(4160, c.StatusTransitions[1][7]);
        Assert.Equal(4160, c.StatusTransitions[0][8]);
        Assert.Contains($"{Modules[0].Raw} ROC  4 :  4160 pixels were recovered", c.DiffLog);
        Assert.Contains($"{Modules[1].Raw} ROC  7 :  4160 pixels were lost", c.DiffLog);
        var l1 = c.Parts[0];
        Assert.True(l1.StatusChanged);
        Assert.Equal(0, l1.RelativeGain.Mean);
    }

    [Fact]
    public void Tables_without_a_common_module_say_nothing_was_compared()
    {
        var c = RunComparison.Compare(SyntheticTables.Modules(1, Modules[..1]), SyntheticTables.Modules(2, Modules[1..2]));
        Assert.False(c.NoDifference);
        Assert.StartsWith("Nothing compared", Assert.Single(c.Verdict));
        Assert.Equal([Modules[0].ModuleName], c.ModulesOnlyInA);
    }
}

public class ComparisonReportTests
{
    [Fact]
    public void Comparison_pdf_renders_and_states_the_verdict()
    {
        Poppler.RequireOrSkip();
        var modules = new[] { DetId.BPix(1, 2, 3), DetId.BPix(2, 5, 1), DetId.FPix(2, 3, 40, 2) };
        var a = SyntheticTables.Modules(300, modules, seed: 5);
        var b = SyntheticTables.Modules(301, modules, seed: 6);
        for (var i = 0; i < b.RowCount; i++)
            if (new DetId(b.DetId[i]).Layer == 2) b.Gain[i] *= 1.05f;
        using var dir = new TempDirectory();
        var outputs = ComparisonReport.Write(RunComparison.Compare(a, b), dir.Path, "a.parquet", "b.parquet");
        var ink = Poppler.InkPerPage(outputs.Pdf, Directory.CreateDirectory(dir.File("render")).FullName);
        Assert.Equal(outputs.Pages, ink.Count);
        Assert.All(ink, f => Assert.True(f > 0.002, $"a page is blank ({f:P2} ink)"));
        var text = Poppler.Run("pdftotext", outputs.Pdf, "-");
        Assert.Contains("CHANGED BPix L2: gain +5.0", text);
        Assert.Contains("Unchanged within tolerance: BPix L1, FPix D3 R2", File.ReadAllText(outputs.Text));
    }

    [Fact]
    public void No_text_of_the_comparison_pdf_leaves_the_page_even_with_long_input_paths()
    {
        Poppler.RequireOrSkip();
        var modules = new[] { DetId.BPix(1, 2, 3), DetId.FPix(2, 3, 40, 2) };
        var a = SyntheticTables.Modules(300, modules, seed: 5);
        var b = SyntheticTables.Modules(301, modules, seed: 6);
        using var dir = new TempDirectory();
        // Paths as deep as a real run area's: the first page once ran off its right edge with them.
        var deep = "/data/gaincal/runs/GainRun_400001/a-rather-long-directory-name-as-operators-make-them/GainCalibration.parquet";
        var outputs = ComparisonReport.Write(RunComparison.Compare(a, b), dir.Path, deep, deep.Replace("400001", "400002"));
        Assert.Empty(Poppler.WordsOutside(outputs.Pdf, margin: 20));
        Assert.Contains($"\"goodFitA\": {a.RowCount}", File.ReadAllText(outputs.Data));
        Assert.Contains($"Good fits (status > 0, |gain| <= 1000 e/ADC, |pedestal| <= 250 ADC) in the common modules: run 300 {a.RowCount}", File.ReadAllText(outputs.Text));
    }
}
