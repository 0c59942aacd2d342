using System.Globalization;
using System.Text;
using GainCal.Calibration;
using ScottPlot;

namespace GainCal.Reports;

/// <summary>What <see cref="PixelCurveReport.Write"/> produced.</summary>
public sealed record PixelCurveOutputs(string Png, string Csv, string Text);

/// <summary>One pixel's curve as the reference's make_gaincurves.C draws it (points with errors, the fitted line), as PNG, CSV and text.</summary>
public static class PixelCurveReport
{
    public static string BaseName(PixelCurve c) =>
        string.Create(CultureInfo.InvariantCulture, $"pixel_{c.Pixel.Fed}_{c.Pixel.Link}_{c.Pixel.Roc}_{c.Pixel.RocRow}_{c.Pixel.RocCol}");

    public static PixelCurveOutputs Write(PixelCurve c, string directory, uint run)
    {
        Directory.CreateDirectory(directory);
        var name = Path.Combine(directory, BaseName(c));
        File.WriteAllText(name + ".csv", Csv(c));
        var text = Text(c, run);
        File.WriteAllText(name + ".txt", text);
        ReportPlots.PixelCurve(name + ".png", $"Run {run}: FED {c.Pixel.Fed} link {c.Pixel.Link} ROC {c.Pixel.Roc} row {c.Pixel.RocRow} col {c.Pixel.RocCol}", c);
        return new PixelCurveOutputs(name + ".png", name + ".csv", text);
    }

    public static string Csv(PixelCurve c)
    {
        var b = new StringBuilder("point,vcal,charge_e,entries,mean_adc,error_adc,selected\n");
        foreach (var p in c.Points)
            b.Append(CultureInfo.InvariantCulture, $"{p.Index},{p.VCal},{p.Charge:R},{p.Entries},{p.MeanAdc:R},{p.Error:R},{(p.Selected ? 1 : 0)}\n");
        return b.ToString();
    }

    public static string Text(PixelCurve c, uint run)
    {
        var f = c.Fit;
        var i = CultureInfo.InvariantCulture;
        var b = new StringBuilder();
        b.Append(i, $"run {run}: {c.Pixel}\n");
        b.Append(i, $"pattern {c.Pattern}: {c.Events} events, bytes {c.WindowStart:N0}-{c.WindowStart + c.WindowBytes:N0} of the dump ({c.WindowBytes:N0} read)\n");
        b.Append(i, $"status {(int)f.Status} ({FitStatusText.Describe(f.Status, FitSettings.Production)}), gain {f.Gain:G6} e/ADC, pedestal {f.Pedestal:G6} ADC, ");
        b.Append(i, $"chi2/ndf {f.Chi2Ndf:G4}, probability {f.Probability:G4}\n");
        b.Append(i, $"points fitted {f.Points} (from {c.Points.FirstOrDefault(p => p.Selected)?.Charge ?? 0:F0} to {c.Points.LastOrDefault(p => p.Selected)?.Charge ?? 0:F0} e), plateau {f.Plateau:G5} ADC, ");
        b.Append(i, $"lowest/highest point mean {f.LowMean:G5}/{f.HighMean:G5} ADC; VCal {c.VCal.Slope} e/VCal, offset {c.VCal.Offset} e\n");
        b.Append(i, $"{"pt",3} {"VCal",5} {"charge[e]",10} {"n",3} {"mean ADC",9} {"error",7}  fit\n");
        foreach (var p in c.Points)
            b.Append(i, $"{p.Index,3} {p.VCal,5} {p.Charge,10:F0} {p.Entries,3} {p.MeanAdc,9:F3} {p.Error,7:F3}  {(p.Selected ? "yes" : "")}\n");
        return b.ToString();
    }
}
