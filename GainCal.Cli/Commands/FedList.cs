using System.CommandLine;
using GainCal.Detector;

namespace GainCal.Cli.Commands;

/// <summary>Options taking a FED selection (<see cref="FedSelection"/>: "all", "bpix", "fpix", "1200,1296", "1200-1205").</summary>
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
                return FedSelection.Parse(string.Join(',', r.Tokens.Select(t => t.Value)));
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
        parsed.GetValue(option) is { Count: > 0 } feds ? feds : FedSelection.Parse(defaultSelection);
}
