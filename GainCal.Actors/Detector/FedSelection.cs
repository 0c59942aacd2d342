using System.Globalization;

namespace GainCal.Detector;

/// <summary>FED selections as operators type them (run.py's --fed lists, and more): "all", "bpix", "fpix", single FEDs
/// "1200,1296", ranges "1200-1210". The one parser behind every command that takes a FED selection.</summary>
public static class FedSelection
{
    /// <summary>The pixel FEDs the text selects, sorted; a part that is not a selection is a one-line error naming it.</summary>
    public static IReadOnlyList<int> Parse(string text)
    {
        var feds = new SortedSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            switch (part.ToLowerInvariant())
            {
                case "all": feds.UnionWith(PixelFeds.All); continue;
                case "bpix": feds.UnionWith(PixelFeds.BPix); continue;
                case "fpix": feds.UnionWith(PixelFeds.FPix); continue;
            }
            var range = part.Split('-');
            if (range.Length is < 1 or > 2 || !range.All(r => int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
                throw new FormatException($"'{part}' is not a FED id, a range like 1200-1205, or one of all, bpix, fpix");
            var from = int.Parse(range[0], CultureInfo.InvariantCulture);
            var to = range.Length == 2 ? int.Parse(range[1], CultureInfo.InvariantCulture) : from;
            if (range.Length == 1 && !PixelFeds.IsPixelFed(from))
                throw new ArgumentException($"FED {from} is not a Phase-1 pixel FED (BPix 1200-1293, FPix 1296-1338 with gaps; see `gaincal simulate --help`)");
            if (to < from) throw new ArgumentException($"'{part}': a range goes from the lower FED to the higher");
            feds.UnionWith(PixelFeds.All.Where(f => f >= from && f <= to));
        }
        if (feds.Count == 0) throw new ArgumentException($"'{text}' selects no pixel FED");
        return feds.ToList();
    }
}
