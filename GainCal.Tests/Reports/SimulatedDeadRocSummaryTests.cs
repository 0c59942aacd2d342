using GainCal.Calibration;
using GainCal.Reports;
using GainCal.Results;
using GainCal.Simulation;

namespace GainCal.Tests.Reports;

/// <summary>The whole chain: a dead ROC planted in a simulated dump must surface in the summary's failing list and PDF.</summary>
public class SimulatedDeadRocSummaryTests
{
    [Fact]
    public void A_planted_dead_ROC_heads_the_failing_list_of_the_summary()
    {
        using var dir = new TempDirectory();
        var setup = FedCalibrationSetup.Default;
        const int fed = 1296, deadRoc = 5;
        var dump = dir.File($"run/GainCalibration_{fed}_9.dmp");
        FedSimulator.Write(dump, fed, setup, new SimulationOptions
        {
            Run = 9, Seed = 3, RocsPerFed = 16,
            DeadRocs = new Dictionary<int, IReadOnlyList<int>> { [fed] = [deadRoc] },
        });
        var table = new FedPipeline(setup).Run(dump).Table;
        var planted = setup.Cabling.ForFed(fed).Rocs[deadRoc];

        var summary = SummaryBuilder.Build(table);
        var worst = summary.Rocs.OrderByDescending(r => r.BadFits).First();
        Assert.True(worst.Dead);
        Assert.Equal((fed, planted.Link, planted.Roc), (worst.Fed, worst.Link, worst.Roc));
        Assert.Equal(planted.DetId.ModuleName, worst.ModuleName);
        Assert.DoesNotContain(summary.Rocs, r => r.Dead && (r.Link, r.Roc) != (planted.Link, planted.Roc));

        Poppler.RequireOrSkip();
        var outputs = SummaryReport.Write(summary, dir.File("summary"), dump);
        var text = Poppler.Run("pdftotext", "-layout", outputs.Pdf, "-");
        Assert.Contains($"{fed}/{planted.Link}/{planted.Roc}", text);
    }
}
