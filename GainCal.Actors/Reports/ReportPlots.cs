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

    /// <summary>A map of per-module values; NaN cells (module absent) are drawn light grey.</summary>
    public static void Map(string path, string title, double[,] values, CoordinateRect extent, string xLabel, string yLabel,
        string valueLabel, IReadOnlyList<double>? verticalLines = null)
    {
        var plot = NewPlot(title, xLabel, yLabel);
        var map = plot.Add.Heatmap(values);
        map.FlipVertically = true;
        // ScottPlot places cell centres (not edges) on the Position rectangle: shrink the extent by half a cell.
        int rows = values.GetLength(0), columns = values.GetLength(1);
        double halfWidth = (extent.Right - extent.Left) / columns / 2, halfHeight = (extent.Top - extent.Bottom) / rows / 2;
        map.Position = new CoordinateRect(extent.Left + halfWidth, extent.Right - halfWidth, extent.Bottom + halfHeight, extent.Top - halfHeight);
        map.Colormap = new ScottPlot.Colormaps.Turbo();
        map.NaNCellColor = Colors.LightGray;
        var finite = values.Cast<double>().Where(double.IsFinite).ToList();
        if (finite.Count > 0 && finite.Min() == finite.Max())
            map.ManualRange = new ScottPlot.Range(finite[0] - 0.5, finite[0] + 0.5);
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
        plot.ShowLegend(Alignment.UpperLeft);
        Save(plot, path);
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

    /// <summary>One marker per module in module order (the macro's SUM_ plots), with dashed lines between detector parts.</summary>
    public static void PerModule(string path, string title, IReadOnlyList<double> values, IReadOnlyList<int> parts, string yLabel)
    {
        var plot = NewPlot(title, "module index (BPix layer, ladder, module; then FPix side, disk, blade, panel)", yLabel);
        for (var p = 0; p < DetectorPart.Count; p++)
        {
            var xs = new List<double>();
            var ys = new List<double>();
            for (var i = 0; i < values.Count; i++)
                if (parts[i] == p && double.IsFinite(values[i])) { xs.Add(i); ys.Add(values[i]); }
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
        plot.ShowLegend(Alignment.UpperRight);
        Save(plot, path, 1000, Height);
    }
}
