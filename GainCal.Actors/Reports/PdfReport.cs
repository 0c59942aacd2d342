using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace GainCal.Reports;

/// <summary>
/// A small flowing-layout PDF writer over PDFsharp: headings, text lines, tables and figures on A4 pages,
/// breaking pages as the content needs. Page numbers are stamped when the document is saved.
/// </summary>
internal sealed class PdfReport
{
    private const double Margin = 50;
    private static readonly System.Text.RegularExpressions.Regex Numeric = new(@"^[-+]?[\d.,]+(e[-+]?\d+)?( %)?$");
    private readonly PdfDocument _document = new();
    private readonly XFont _title, _heading, _text, _bold, _mono, _small;
    private XGraphics? _gfx;
    private PdfPage? _page;
    private double _y;

    public PdfReport(string title)
    {
        DejaVuFontResolver.Install();
        _document.Info.Title = title;
        _document.Info.Creator = "GainCal";
        _title = new XFont(ReportFonts.Family, 18, XFontStyleEx.Bold);
        _heading = new XFont(ReportFonts.Family, 13, XFontStyleEx.Bold);
        _text = new XFont(ReportFonts.Family, 9.5, XFontStyleEx.Regular);
        _bold = new XFont(ReportFonts.Family, 9.5, XFontStyleEx.Bold);
        _mono = new XFont(ReportFonts.MonoFamily, 8, XFontStyleEx.Regular);
        _small = new XFont(ReportFonts.Family, 8, XFontStyleEx.Regular);
    }

    public int PageCount => _document.PageCount;
    private double PageWidth => _page!.Width.Point;
    private double PageHeight => _page!.Height.Point;
    private double ContentWidth => PageWidth - 2 * Margin;
    private double Bottom => PageHeight - Margin;

    public void NewPage()
    {
        _gfx?.Dispose();
        _page = _document.AddPage();
        _page.Size = PdfSharp.PageSize.A4;
        _gfx = XGraphics.FromPdfPage(_page);
        _y = Margin;
    }

    private void Ensure(double height)
    {
        if (_page is null || _y + height > Bottom) NewPage();
    }

    public void Title(string text, string subtitle)
    {
        Ensure(60);
        foreach (var line in Wrap(text, _title, ContentWidth))
        {
            _gfx!.DrawString(line, _title, XBrushes.Black, new XPoint(Margin, _y + 18));
            _y += 24;
        }
        _y += 4;
        // The subtitle names input paths, which can be wider than the page.
        foreach (var line in Wrap(subtitle, _small, ContentWidth))
        {
            _gfx!.DrawString(line, _small, XBrushes.DimGray, new XPoint(Margin, _y + 8));
            _y += 10;
        }
        _y += 12;
    }

    public void Heading(string text)
    {
        Ensure(50);
        _y += 6;
        foreach (var line in Wrap(text, _heading, ContentWidth))
        {
            _gfx!.DrawString(line, _heading, XBrushes.Black, new XPoint(Margin, _y + 13));
            _y += 17;
        }
        _gfx!.DrawLine(XPens.Gray, Margin, _y, PageWidth - Margin, _y);
        _y += 8;
    }

    /// <summary>Text wrapped at the content width.</summary>
    public void Paragraph(string text, bool bold = false)
    {
        var font = bold ? _bold : _text;
        foreach (var line in Wrap(text, font, ContentWidth))
        {
            Ensure(13);
            _gfx!.DrawString(line, font, XBrushes.Black, new XPoint(Margin, _y + 10));
            _y += 13;
        }
        _y += 3;
    }

    /// <summary>Preformatted lines in a monospace font (the reference's text outputs).</summary>
    public void Preformatted(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            Ensure(10);
            _gfx!.DrawString(line, _mono, XBrushes.Black, new XPoint(Margin, _y + 8));
            _y += 10;
        }
        _y += 4;
    }

    /// <summary>A table with a shaded header; relative column widths; numeric-looking cells right-aligned.</summary>
    public void Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, IReadOnlyList<double> widths,
        Func<int, bool>? highlightRow = null)
    {
        var total = widths.Sum();
        var xs = new double[widths.Count + 1];
        xs[0] = Margin;
        for (var c = 0; c < widths.Count; c++) xs[c + 1] = xs[c] + widths[c] / total * ContentWidth;
        const double rowHeight = 12;
        void Row(IReadOnlyList<string> cells, XFont font, XBrush? shade)
        {
            if (shade is not null) _gfx!.DrawRectangle(shade, Margin, _y, ContentWidth, rowHeight);
            for (var c = 0; c < cells.Count && c < widths.Count; c++)
            {
                var text = Fit(cells[c], font, xs[c + 1] - xs[c] - 4);
                var numeric = Numeric.IsMatch(text);
                var w = _gfx!.MeasureString(text, font).Width;
                var x = numeric ? xs[c + 1] - 2 - w : xs[c] + 2;
                _gfx.DrawString(text, font, XBrushes.Black, new XPoint(x, _y + 9));
            }
            _y += rowHeight;
        }
        Ensure(3 * rowHeight);
        Row(header, _bold, XBrushes.Gainsboro);
        var index = 0;
        foreach (var row in rows)
        {
            if (_y + rowHeight > Bottom)
            {
                NewPage();
                Row(header, _bold, XBrushes.Gainsboro);
            }
            Row(row, _text, highlightRow?.Invoke(index) == true ? XBrushes.MistyRose : null);
            index++;
        }
        _y += 8;
    }

    /// <summary>Figures in a grid of <paramref name="columns"/>, each scaled to its cell width, caption below.</summary>
    public void Figures(IReadOnlyList<(string Path, string Caption)> figures, int columns)
    {
        var cellWidth = (ContentWidth - (columns - 1) * 10) / columns;
        for (var i = 0; i < figures.Count; i += columns)
        {
            var row = figures.Skip(i).Take(columns).ToList();
            var images = row.Select(f => XImage.FromFile(f.Path)).ToList();
            var height = images.Max(im => cellWidth * im.PixelHeight / im.PixelWidth);
            var captionLines = row.Max(f => Wrap(f.Caption, _small, cellWidth).Count);
            Ensure(height + 12 * captionLines + 10);
            for (var c = 0; c < row.Count; c++)
            {
                var x = Margin + c * (cellWidth + 10);
                var h = cellWidth * images[c].PixelHeight / images[c].PixelWidth;
                _gfx!.DrawImage(images[c], x, _y, cellWidth, h);
                var cy = _y + height + 10;
                foreach (var line in Wrap(row[c].Caption, _small, cellWidth))
                {
                    _gfx.DrawString(line, _small, XBrushes.DimGray, new XPoint(x, cy));
                    cy += 10;
                }
                images[c].Dispose();
            }
            _y += height + 12 * captionLines + 10;
        }
    }

    public void Save(string path)
    {
        _gfx?.Dispose();
        _gfx = null;
        var count = _document.PageCount;
        for (var i = 0; i < count; i++)
        {
            using var gfx = XGraphics.FromPdfPage(_document.Pages[i], XGraphicsPdfPageOptions.Append);
            var text = $"{_document.Info.Title} - page {i + 1} of {count}";
            var w = gfx.MeasureString(text, _small).Width;
            gfx.DrawString(text, _small, XBrushes.Gray, new XPoint((_document.Pages[i].Width.Point - w) / 2, _document.Pages[i].Height.Point - 25));
        }
        _document.Save(path);
    }

    private string Fit(string text, XFont font, double width)
    {
        if (_gfx!.MeasureString(text, font).Width <= width) return text;
        while (text.Length > 1 && _gfx.MeasureString(text + "…", font).Width > width) text = text[..^1];
        return text + "…";
    }

    private List<string> Wrap(string text, XFont font, double width)
    {
        if (_gfx is null) NewPage();
        var lines = new List<string>();
        foreach (var paragraph in text.Split('\n'))
        {
            var line = "";
            foreach (var word in paragraph.Split(' ').SelectMany(w => Pieces(w, font, width)))
            {
                var candidate = line.Length == 0 ? word : line + " " + word;
                if (line.Length > 0 && _gfx!.MeasureString(candidate, font).Width > width)
                {
                    lines.Add(line);
                    line = word;
                }
                else line = candidate;
            }
            lines.Add(line);
        }
        return lines;
    }

    /// <summary>A word wider than the line (a long path) cut into pieces that fit.</summary>
    private IEnumerable<string> Pieces(string word, XFont font, double width)
    {
        while (word.Length > 1 && _gfx!.MeasureString(word, font).Width > width)
        {
            var n = word.Length - 1;
            while (n > 1 && _gfx.MeasureString(word[..n], font).Width > width) n--;
            yield return word[..n];
            word = word[n..];
        }
        yield return word;
    }

    /// <summary>Serves the DejaVu faces to PDFsharp, which has no access to system fonts on Linux.</summary>
    private sealed class DejaVuFontResolver : IFontResolver
    {
        private static readonly object Lock = new();

        public static void Install()
        {
            lock (Lock)
            {
                if (GlobalFontSettings.FontResolver is DejaVuFontResolver) return;
                GlobalFontSettings.FontResolver = new DejaVuFontResolver();
            }
        }

        public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
            familyName.Equals(ReportFonts.MonoFamily, StringComparison.OrdinalIgnoreCase) ? new FontResolverInfo("mono")
            : bold ? new FontResolverInfo("bold") : new FontResolverInfo("regular");

        public byte[]? GetFont(string faceName) => File.ReadAllBytes(ReportFonts.PathOf(faceName));
    }
}
