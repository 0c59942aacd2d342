using ScottPlot;

namespace GainCal.Payloads;

/// <summary>calc_corrections.py's figure: correction factor vs dose for the bandgap model and the old linear model,
/// with a dashed line at each layer's and ring's dose for the tag.</summary>
public static class DosePlot
{
    public static void Save(DoseCorrections tag, string path, int width = 1600, int height = 1200)
    {
        double maxDose = tag.LayerDose.Values.Concat(tag.RingDose.Values).Max();
        double xMax = Math.Ceiling(maxDose / 10.0) * 10.0 + 20.0;
        const int points = 100;
        var xs = new double[points];
        var model = new double[points];
        var linear = new double[points];
        for (int i = 0; i < points; i++)
        {
            xs[i] = xMax * i / (points - 1);
            model[i] = DoseModel.Correction(xs[i]);
            linear[i] = DoseModel.OldModel(xs[i]);
        }

        var plot = new Plot();
        var bgv = plot.Add.Scatter(xs, model);
        bgv.LegendText = "-0.13 V · exp(-0.0313 Mrad⁻¹ · dose) + 1.38 V (normalised)";
        bgv.LineWidth = 2;
        bgv.MarkerSize = 0;
        var old = plot.Add.Scatter(xs, linear);
        old.LegendText = "1 + 0.0045 Mrad⁻¹ · dose";
        old.LineWidth = 2;
        old.MarkerSize = 0;
        old.LinePattern = LinePattern.DenselyDashed;

        foreach (var (label, dose) in tag.LayerDose.Select(kv => ($"layer {kv.Key}", kv.Value))
                     .Concat(tag.RingDose.Select(kv => ($"ring {kv.Key}", kv.Value))))
        {
            var line = plot.Add.VerticalLine(dose);
            line.Color = Colors.Red;
            line.LinePattern = LinePattern.Dashed;
            line.LineWidth = 1;
            double corr = DoseModel.Correction(dose);
            var marker = plot.Add.Marker(dose, corr);
            marker.Color = Colors.Red;
            marker.Size = 8;
            // Rotated label along the line, near the top, so close doses do not overlap.
            var text = plot.Add.Text($"{label}: {dose:F1} Mrad, x{corr:F3}", dose, 1.198);
            text.LabelRotation = 90;
            text.LabelAlignment = Alignment.LowerLeft;
            text.LabelFontSize = 13;
            text.LabelFontColor = Colors.DarkRed;
        }

        plot.Axes.SetLimits(0, xMax, 1.0, 1.2);
        plot.XLabel("dose (Mrad)");
        plot.YLabel("slope correction factor");
        plot.Title($"Gain Calibration {tag.Tag}");
        plot.ShowLegend(Alignment.LowerRight);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        plot.SavePng(full, width, height);
    }
}
