using GainCal.Results;
using ScottPlot;

namespace GainCal.Reports;

/// <summary>The few plot shapes the reports use, rendered to PNG with ScottPlot.</summary>
internal static class ReportPlots
{
    public const int Width = 720;
    public const int Height = 460;

    private static readonly ScottPlot.Palettes.Category10 Palette = new();

    public static Color ColorOf(int i) => Palette.GetColor(i);

    private static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        ReportFonts.UseWithScottPlot();
        var plot = new Plot();
        plot.Font.Set(ReportFonts.Family);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        return plot;
    }

    private static void Save(Plot plot, string path, int width = Width, int height = Height) => plot.SavePng(path, width, height);

    /// <summary>Overlaid step histograms; normalised to unit area when <paramref name="normalize"/>, so parts of different size compare.</summary>
    public static void Histograms(string path, string title, string xLabel, IReadOnlyList<(string Label, Histogram H)> series,
        bool normalize, bool logY = false)
    {
        var plot = NewPlot(title, xLabel, normalize ? "fraction of entries per bin" : "entries per bin");
        for (var s = 0; s < series.Count; s++)
        {
            var (label, h) = series[s];
            var total = (double)h.Entries;
            if (total == 0) continue;
            var xs = new double[h.Bins + 1];
            var ys = new double[h.Bins + 1];
            for (var b = 0; b < h.Bins; b++)
            {
                xs[b] = h.Min + b * h.BinWidth;
                var y = normalize ? h.Counts[b] / total : h.Counts[b];
                // Empty bins sit at half an entry on a log scale, below every filled bin.
                ys[b] = logY ? Math.Log10(Math.Max(y, normalize ? 0.5 / total : 0.5)) : y;
            }
            xs[h.Bins] = h.Max;
            ys[h.Bins] = ys[h.Bins - 1];
            var line = plot.Add.ScatterLine(xs, ys);
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.Color = ColorOf(s);
            line.LineWidth = 1.5f;
            var outside = h.Underflow + h.Overflow;
            line.LegendText = outside == 0 ? $"{label} ({h.Entries:N0})" : $"{label} ({h.Entries:N0}, {outside:N0} outside)";
        }
        if (logY) plot.YLabel(normalize ? "log10 fraction per bin" : "log10 entries per bin");
        plot.ShowLegend(Alignment.UpperRight);
        Save(plot, path);
    }

    /// <summary>
    /// A map of per-module values; NaN cells (module absent) are drawn light grey. The colour scale spans
    /// <paramref name="range"/> (values beyond it take the end colours) and the colour bar says how it was chosen.
    /// </summary>
    public static void Map(string path, string title, double[,] values, CoordinateRect extent, string xLabel, string yLabel,
        string valueLabel, RobustRange? range, IReadOnlyList<double>? verticalLines = null)
    {
        // A module mean can be infinite (a pixel with two fitted points has chi2/ndf = inf): grey, and said so.
        var infinite = 0;
        values = (double[,])values.Clone();
        for (var row = 0; row < values.GetLength(0); row++)
            for (var column = 0; column < values.GetLength(1); column++)
                if (double.IsInfinity(values[row, column])) { values[row, column] = double.NaN; infinite++; }
        var scale = range is { } t ? ScaleText(t) + (infinite > 0 ? $"; {infinite} infinite grey" : "") : infinite > 0 ? $"{infinite} modules infinite (grey)" : null;
        var plot = NewPlot(scale is null ? title : $"{title}\n{scale}", xLabel, yLabel);
        plot.Axes.Title.Label.FontSize = 13;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        if (!values.Cast<double>().Any(double.IsFinite))
        {
            // Nothing to colour (every module of the map absent or infinite): the frame and the title's note only.
            plot.Axes.SetLimits(extent.Left, extent.Right, extent.Bottom, extent.Top);
            Save(plot, path, 640, 440);
            return;
        }
        var map = plot.Add.Heatmap(values);
        map.FlipVertically = true;
        // ScottPlot places cell centres (not edges) on the Position rectangle: shrink the extent by half a cell.
        int rows = values.GetLength(0), columns = values.GetLength(1);
        double halfWidth = (extent.Right - extent.Left) / columns / 2, halfHeight = (extent.Top - extent.Bottom) / rows / 2;
        map.Position = new CoordinateRect(extent.Left + halfWidth, extent.Right - halfWidth, extent.Bottom + halfHeight, extent.Top - halfHeight);
        map.Colormap = new ScottPlot.Colormaps.Turbo();
        map.NaNCellColor = Colors.LightGray;
        if (range is { } r) map.ManualRange = new ScottPlot.Range(r.Low, r.High);
        var bar = plot.Add.ColorBar(map);
        bar.Label = valueLabel;
        foreach (var x in verticalLines ?? [])
        {
            var v = plot.Add.VerticalLine(x);
            v.Color = Colors.Black;
            v.LinePattern = LinePattern.Dashed;
        }
        plot.Axes.SetLimits(extent.Left, extent.Right, extent.Bottom, extent.Top);
        Save(plot, path, 640, 440);
    }

    /// <summary>How a robust range was chosen, one short line for a title.</summary>
    public static string ScaleText(RobustRange r, string what = "colour") =>
        $"{what}: {Short(r.Low)} to {Short(r.High)} " +
        (r.Widened ? "(median ± minimum span: the modules agree closer)" : $"(p{r.LowPercentile:0.#}-p{r.HighPercentile:0.#} of modules, clipped)");

    private static string Short(double x) => x.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// A 2-D histogram as a heat map of log10(entries) per bin, axes zoomed to the bins holding the central 99 % of the
    /// entries of each projection; the title line states what lies outside.
    /// </summary>
    public static void Correlation(string path, string title, Histogram2D h)
    {
        long inside = h.Entries - h.Outside;
        var (x0, x1) = Central(Enumerable.Range(0, h.XBins).Select(x => Enumerable.Range(0, h.YBins).Sum(y => h[x, y])).ToArray());
        var (y0, y1) = Central(Enumerable.Range(0, h.YBins).Select(y => Enumerable.Range(0, h.XBins).Sum(x => h[x, y])).ToArray());
        double xw = (h.XMax - h.XMin) / h.XBins, yw = (h.YMax - h.YMin) / h.YBins;
        var plot = NewPlot($"{title}\n{h.Entries:N0} pixels, {h.Outside:N0} outside the histogram", h.XLabel, h.YLabel);
        plot.Axes.Title.Label.FontSize = 13;
        if (inside > 0)
        {
            var grid = new double[y1 - y0 + 1, x1 - x0 + 1];
            for (var y = y0; y <= y1; y++)
                for (var x = x0; x <= x1; x++)
                    grid[y - y0, x - x0] = h[x, y] > 0 ? Math.Log10(h[x, y]) : double.NaN;
            var map = plot.Add.Heatmap(grid);
            map.FlipVertically = true;
            map.Position = new CoordinateRect(h.XMin + (x0 + 0.5) * xw, h.XMin + (x1 + 0.5) * xw, h.YMin + (y0 + 0.5) * yw, h.YMin + (y1 + 0.5) * yw);
            map.Colormap = new ScottPlot.Colormaps.Turbo();
            map.NaNCellColor = Colors.White;
            var bar = plot.Add.ColorBar(map);
            bar.Label = "log10 pixels per bin";
        }
        plot.Axes.SetLimits(h.XMin + x0 * xw, h.XMin + (x1 + 1) * xw, h.YMin + y0 * yw, h.YMin + (y1 + 1) * yw);
        Save(plot, path, 640, 480);
    }

    /// <summary>First and last bin of the central 99 % of a projection (the whole axis when it is empty).</summary>
    private static (int First, int Last) Central(long[] projection)
    {
        var total = projection.Sum();
        if (total == 0) return (0, projection.Length - 1);
        long cut = (long)Math.Floor(total * 0.005), sum = 0;
        int first = 0, last = projection.Length - 1;
        for (var i = 0; i < projection.Length; i++) { sum += projection[i]; if (sum > cut) { first = i; break; } }
        sum = 0;
        for (var i = projection.Length - 1; i >= 0; i--) { sum += projection[i]; if (sum > cut) { last = i; break; } }
        return (first, Math.Max(first, last));
    }

    /// <summary>Stacked bars: one bar per category, one stack segment per series.</summary>
    public static void StackedBars(string path, string title, IReadOnlyList<string> categories,
        IReadOnlyList<(string Label, double[] Values)> series, string yLabel)
    {
        var plot = NewPlot(title, "", yLabel);
        var bottoms = new double[categories.Count];
        for (var s = 0; s < series.Count; s++)
        {
            var bars = new List<Bar>();
            for (var c = 0; c < categories.Count; c++)
            {
                var v = series[s].Values[c];
                bars.Add(new Bar { Position = c, ValueBase = bottoms[c], Value = bottoms[c] + v, FillColor = ColorOf(s), Size = 0.7 });
                bottoms[c] += v;
            }
            var plotted = plot.Add.Bars(bars);
            plotted.LegendText = series[s].Label;
        }
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, categories.Count).Select(i => (double)i).ToArray(), categories.ToArray());
        plot.Axes.Margins(bottom: 0);
        // Beside the bars, never over them.
        plot.ShowLegend(Edge.Right);
        Save(plot, path, Width + 180, Height);
    }

    /// <summary>Grouped bars with symmetric error bars: one group per category, one bar per series.</summary>
    public static void Bars(string path, string title, IReadOnlyList<string> categories, IReadOnlyList<double> values,
        IReadOnlyList<double>? errors, string yLabel, IReadOnlyList<bool>? highlight = null)
    {
        var plot = NewPlot(title, "", yLabel);
        var bars = new List<Bar>();
        for (var c = 0; c < categories.Count; c++)
        {
            var v = double.IsFinite(values[c]) ? values[c] : 0;
            bars.Add(new Bar
            {
                Position = c, Value = v, Size = 0.7, Error = errors is null || !double.IsFinite(errors[c]) ? 0 : errors[c],
                FillColor = highlight is not null && highlight[c] ? Colors.OrangeRed : ColorOf(0),
            });
        }
        plot.Add.Bars(bars);
        plot.Add.HorizontalLine(0, 1, Colors.Black);
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, categories.Count).Select(i => (double)i).ToArray(), categories.ToArray());
        Save(plot, path);
    }

    /// <summary>
    /// One marker with an error bar per category (the macro's SUB_ histograms). The y axis spans the error bars, widened
    /// about their middle to at least <paramref name="minimumSpan"/> so that differences below it look as small as they are.
    /// </summary>
    public static void MeansWithErrors(string path, string title, IReadOnlyList<string> categories, IReadOnlyList<double> means,
        IReadOnlyList<double> errors, string yLabel, double minimumSpan)
    {
        var plot = NewPlot(title, "", yLabel);
        var xs = Enumerable.Range(0, categories.Count).Select(i => (double)i).ToArray();
        var bars = plot.Add.ErrorBar(xs, means.ToArray(), errors.ToArray());
        bars.Color = ColorOf(0);
        bars.LineWidth = 1.5f;
        var markers = plot.Add.ScatterPoints(xs, means.ToArray());
        markers.Color = ColorOf(0);
        markers.MarkerSize = 8;
        double low = Enumerable.Range(0, means.Count).Min(i => means[i] - errors[i]), high = Enumerable.Range(0, means.Count).Max(i => means[i] + errors[i]);
        if (high - low < minimumSpan)
        {
            var middle = (high + low) / 2;
            (low, high) = (middle - minimumSpan / 2, middle + minimumSpan / 2);
        }
        var pad = (high - low) * 0.1;
        plot.Axes.SetLimits(-0.5, categories.Count - 0.5, low - pad, high + pad);
        plot.Axes.Bottom.SetTicks(xs, categories.ToArray());
        Save(plot, path);
    }

    /// <summary>
    /// A pixel's curve: mean ADC ± error per VCal point against the charge, the points the selection kept filled,
    /// the others open, the fitted line ADC = pedestal + Q / gain over the kept points, the plateau dashed.
    /// </summary>
    public static void PixelCurve(string path, string title, Calibration.PixelCurve c)
    {
        var f = c.Fit;
        var status = Calibration.FitStatusText.Describe(f.Status, Calibration.FitSettings.Production);
        var plot = NewPlot($"{title}\nstatus {(int)f.Status} ({status}), gain {f.Gain:G4} e/ADC, pedestal {f.Pedestal:G4} ADC, chi2/ndf {f.Chi2Ndf:G3}",
            "charge [electrons]", "mean ADC");
        plot.Axes.Title.Label.FontSize = 13;
        var measured = c.Points.Where(p => p.Entries > 0).ToList();
        foreach (var (points, label, filled) in new[] { (measured.Where(p => p.Selected).ToList(), "fitted points", true),
                     (measured.Where(p => !p.Selected).ToList(), "points left out by the selection", false) })
        {
            if (points.Count == 0) continue;
            var xs = points.Select(p => p.Charge).ToArray();
            var ys = points.Select(p => p.MeanAdc).ToArray();
            var errors = plot.Add.ErrorBar(xs, ys, points.Select(p => p.Error).ToArray());
            errors.Color = filled ? ColorOf(0) : Colors.Gray;
            var markers = plot.Add.ScatterPoints(xs, ys);
            markers.Color = filled ? ColorOf(0) : Colors.Gray;
            markers.MarkerShape = filled ? MarkerShape.FilledCircle : MarkerShape.OpenCircle;
            markers.MarkerSize = 7;
            markers.LegendText = label;
        }
        var selected = c.Points.Where(p => p.Selected).ToList();
        if (selected.Count >= 2 && f.Gain != 0 && float.IsFinite(f.Gain) && float.IsFinite(f.Pedestal))
        {
            double x0 = selected[0].Charge, x1 = selected[^1].Charge;
            var line = plot.Add.Line(x0, f.Pedestal + x0 / f.Gain, x1, f.Pedestal + x1 / f.Gain);
            line.Color = Colors.OrangeRed;
            line.LineWidth = 2;
            line.LegendText = "fit: ADC = pedestal + Q / gain";
        }
        if (f.Plateau > 0 && f.Plateau < 255)
        {
            var plateau = plot.Add.HorizontalLine(f.Plateau);
            plateau.Color = Colors.DarkGreen;
            plateau.LinePattern = LinePattern.Dashed;
            plateau.LegendText = $"plateau {f.Plateau:F1} ADC";
        }
        plot.ShowLegend(Alignment.LowerRight);
        Save(plot, path, 760, 500);
    }

    /// <summary>
    /// Values per run (make_EvolutionPlots.cc): one series per group, a marker with the group's RMS as error bar per run,
    /// runs evenly spaced and labelled; the y axis is at least <paramref name="minimumSpan"/> wide.
    /// </summary>
    public static void Trend(string path, string title, IReadOnlyList<uint> runs, IReadOnlyList<(string Label, List<Moments?> Values)> series,
        string yLabel, double minimumSpan)
    {
        var plot = NewPlot(title, "run", yLabel);
        double low = double.MaxValue, high = double.MinValue;
        for (var s = 0; s < series.Count; s++)
        {
            var present = Enumerable.Range(0, runs.Count).Where(i => series[s].Values[i] is not null).ToList();
            // Side by side within a run, so that error bars of different groups do not hide each other.
            var shift = series.Count > 1 ? (s - (series.Count - 1) / 2.0) * 0.06 : 0;
            var xs = present.Select(i => i + shift).ToArray();
            var ys = present.Select(i => series[s].Values[i]!.Value.Mean).ToArray();
            var es = present.Select(i => series[s].Values[i]!.Value.Rms).ToArray();
            var bars = plot.Add.ErrorBar(xs, ys, es);
            bars.Color = ColorOf(s);
            var line = plot.Add.Scatter(xs, ys);
            line.Color = ColorOf(s);
            line.MarkerSize = 7;
            line.LegendText = series[s].Label;
            for (var k = 0; k < ys.Length; k++) { low = Math.Min(low, ys[k] - es[k]); high = Math.Max(high, ys[k] + es[k]); }
        }
        if (high - low < minimumSpan)
        {
            var middle = (high + low) / 2;
            (low, high) = (middle - minimumSpan / 2, middle + minimumSpan / 2);
        }
        var pad = (high - low) * 0.08;
        plot.Axes.SetLimits(-0.5, runs.Count - 0.5, low - pad, high + pad);
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, runs.Count).Select(i => (double)i).ToArray(),
            runs.Select(r => r.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        plot.ShowLegend(Edge.Right);
        Save(plot, path, Width + 120, Height);
    }

    /// <summary>One marker per module in module order (the macro's SUM_ plots), with dashed lines between detector parts.</summary>
    public static void PerModule(string path, string title, IReadOnlyList<double> values, IReadOnlyList<int> parts, string yLabel,
        RobustRange? range = null)
    {
        var plot = NewPlot(title, "module index (BPix layer, ladder, module; then FPix side, disk, blade, panel)", yLabel);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        for (var p = 0; p < DetectorPart.Count; p++)
        {
            var xs = new List<double>();
            var ys = new List<double>();
            for (var i = 0; i < values.Count; i++)
                // With a range an infinite mean is kept and drawn on the edge like any value beyond it.
                if (parts[i] == p && (range is null ? double.IsFinite(values[i]) : !double.IsNaN(values[i]))) { xs.Add(i); ys.Add(values[i]); }
            if (xs.Count == 0) continue;
            var sc = plot.Add.ScatterPoints(xs.ToArray(), ys.ToArray());
            sc.Color = ColorOf(p);
            sc.MarkerSize = 4;
            sc.LegendText = DetectorPart.Name(p);
        }
        for (var i = 1; i < parts.Count; i++)
            if (parts[i] != parts[i - 1])
            {
                var v = plot.Add.VerticalLine(i - 0.5);
                v.Color = Colors.Gray;
                v.LinePattern = LinePattern.Dashed;
            }
        if (range is { } r)
        {
            // Points beyond the range sit on its edge, so no module disappears.
            var pad = (r.High - r.Low) * 0.05;
            foreach (var sc in plot.GetPlottables<ScottPlot.Plottables.Scatter>().ToList())
            {
                var clipped = sc.Data.GetScatterPoints().Select(c => new Coordinates(c.X, Math.Clamp(c.Y, r.Low - pad, r.High + pad))).ToArray();
                plot.Remove(sc);
                var again = plot.Add.ScatterPoints(clipped);
                again.Color = sc.Color;
                again.MarkerSize = sc.MarkerSize;
                again.LegendText = sc.LegendText;
            }
            plot.Axes.SetLimitsY(r.Low - 2 * pad, r.High + 2 * pad);
            plot.Title($"{title}\n{ScaleText(r, "y axis").Replace("clipped", "beyond: on the edge", StringComparison.Ordinal)}");
            plot.Axes.Title.Label.FontSize = 13;
        }
        plot.ShowLegend(Edge.Right);
        Save(plot, path, 1100, Height);
    }
}
