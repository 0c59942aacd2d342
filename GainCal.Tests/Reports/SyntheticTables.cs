using GainCal.Detector;
using GainCal.Results;

namespace GainCal.Tests.Reports;

/// <summary>Per-pixel tables with known content: every pixel of the given modules, status 1, Gaussian gain and pedestal.</summary>
internal static class SyntheticTables
{
    public const double GainMean = 150, GainSigma = 10, PedestalMean = 25, PedestalSigma = 5;

    public static PixelTable Modules(uint run, IReadOnlyList<DetId> modules, int seed = 1)
    {
        var rng = new Random(seed);
        var t = new PixelTable(run, modules.Count * 160 * 416);
        var i = 0;
        for (var m = 0; m < modules.Count; m++)
        {
            var fed = (short)(modules[m].IsBPix ? 1200 + m % 10 : 1296 + m % 7);
            for (var row = 0; row < 160; row++)
                for (var col = 0; col < 416; col++, i++)
                {
                    var roc = col / 52 + 8 * (row / 80);
                    t.Fed[i] = fed;
                    t.Link[i] = (byte)(1 + (m * 8 + roc / 2) % 48);
                    t.Roc[i] = (byte)(1 + roc % 2);
                    t.RocRow[i] = (byte)(row % 80);
                    t.RocCol[i] = (byte)(col % 52);
                    t.DetId[i] = modules[m].Raw;
                    t.ModuleRow[i] = (short)row;
                    t.ModuleCol[i] = (short)col;
                    t.Status[i] = 1;
                    t.Gain[i] = (float)(GainMean + GainSigma * Gaussian(rng));
                    t.Pedestal[i] = (float)(PedestalMean + PedestalSigma * Gaussian(rng));
                    t.GainError[i] = 1e-4f;
                    t.PedestalError[i] = 0.5f;
                    t.Chi2Ndf[i] = 1;
                    t.Probability[i] = 0.5f;
                    t.Points[i] = 12;
                    t.Plateau[i] = 220;
                    t.LowMean[i] = 30;
                    t.HighMean[i] = 220;
                    t.LowPoint[i] = 1500;
                    t.HighPoint[i] = 25000;
                }
        }
        return t;
    }

    /// <summary>Sets the status of every pixel of one ROC (position col/52 + 8*(row/80)) of a module, alternating the given codes.</summary>
    public static int KillRoc(PixelTable t, DetId module, int position, params sbyte[] statuses)
    {
        var n = 0;
        for (var i = 0; i < t.RowCount; i++)
        {
            if (t.DetId[i] != module.Raw || t.ModuleCol[i] / 52 + 8 * (t.ModuleRow[i] / 80) != position) continue;
            t.Status[i] = statuses[n % statuses.Length];
            if (t.Status[i] <= 0) { t.Gain[i] = 0; t.Pedestal[i] = 0; }
            n++;
        }
        return n;
    }

    public static PixelTable Without(PixelTable t, Func<int, bool> drop)
    {
        var keep = Enumerable.Range(0, t.RowCount).Where(i => !drop(i)).ToArray();
        var r = new PixelTable(t.Run, keep.Length);
        for (var j = 0; j < keep.Length; j++)
        {
            var i = keep[j];
            r.Fed[j] = t.Fed[i]; r.Link[j] = t.Link[i]; r.Roc[j] = t.Roc[i]; r.RocRow[j] = t.RocRow[i]; r.RocCol[j] = t.RocCol[i];
            r.DetId[j] = t.DetId[i]; r.ModuleRow[j] = t.ModuleRow[i]; r.ModuleCol[j] = t.ModuleCol[i]; r.Status[j] = t.Status[i];
            r.Gain[j] = t.Gain[i]; r.GainError[j] = t.GainError[i]; r.Pedestal[j] = t.Pedestal[i]; r.PedestalError[j] = t.PedestalError[i];
            r.Chi2Ndf[j] = t.Chi2Ndf[i]; r.Probability[j] = t.Probability[i]; r.Points[j] = t.Points[i]; r.Plateau[j] = t.Plateau[i];
            r.LowMean[j] = t.LowMean[i]; r.HighMean[j] = t.HighMean[i]; r.LowPoint[j] = t.LowPoint[i]; r.HighPoint[j] = t.HighPoint[i];
        }
        return r;
    }

    /// <summary>A table whose values are copied from <paramref name="t"/> (for planting changes without touching the original).</summary>
    public static PixelTable Copy(PixelTable t) => Without(t, _ => false);

    private static double Gaussian(Random rng)
    {
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
