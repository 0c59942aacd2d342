using System.CommandLine;
using System.Globalization;
using GainCal.Detector;

namespace GainCal.Cli.Commands;

/// <summary>Parses the FED selections operators type: "all", "bpix", "fpix", "1200,1296", "1200-1205".</summary>
internal static class FedList
{
    /// <summary>An option taking a FED selection (repeatable, the selections add up); a selection that is not one gives a
    /// parse error naming the option. Read it with <see cref="Selected"/>.</summary>
    public static Option<IReadOnlyList<int>> Option(string name, string defaultSelection) => new(name)
    {
        Description = $"FEDs: all, bpix, fpix, a list 1200,1296 or a range 1200-1205 (default {defaultSelection})",
        CustomParser = r =>
        {
            try
            {
                return Parse(string.Join(',', r.Tokens.Select(t => t.Value)));
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                r.AddError($"{name}: {e.Message}");
                return [];
            }
        },
    };

    /// <summary>The FEDs the option selects, or the default selection when it is not given.</summary>
    public static IReadOnlyList<int> Selected(ParseResult parsed, Option<IReadOnlyList<int>> option, string defaultSelection) =>
        parsed.GetValue(option) is { Count: > 0 } feds ? feds : Parse(defaultSelection);

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
            feds.UnionWith(PixelFeds.All.Where(f => f >= from && f <= to));
        }
        if (feds.Count == 0) throw new ArgumentException($"'{text}' selects no pixel FED");
        return feds.ToList();
    }
}
