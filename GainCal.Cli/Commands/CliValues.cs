using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace GainCal.Cli.Commands;

/// <summary>
/// Numbers typed on the command line, checked with errors in the operator's words ("--run: 'x' is not a whole
/// number >= 0", "--rocs-per-fed must be >= 1 (got 0)") instead of System.CommandLine's .NET type names.
/// </summary>
internal static class CliValues
{
    /// <summary>Gives every number option and argument of the command tree that has no parser of its own the plain
    /// parser of its type, so that no parse error names a .NET type.</summary>
    public static void UseOperatorParsers(Command command)
    {
        foreach (var option in command.Options)
        {
            var name = option.Name;
            switch (option)
            {
                case Option<int> o: o.CustomParser ??= r => Int(r, name); break;
                case Option<int?> o: o.CustomParser ??= r => Int(r, name); break;
                case Option<int[]> o: o.CustomParser ??= r => Ints(r, name); break;
                case Option<uint> o: o.CustomParser ??= r => UInt(r, name); break;
                case Option<uint?> o: o.CustomParser ??= r => UInt(r, name); break;
                case Option<double> o: o.CustomParser ??= r => Number(r, name); break;
                case Option<double?> o: o.CustomParser ??= r => Number(r, name); break;
            }
        }
        foreach (var argument in command.Arguments)
        {
            var name = $"<{argument.Name}>";
            switch (argument)
            {
                case Argument<int> a: a.CustomParser ??= r => Int(r, name); break;
                case Argument<uint> a: a.CustomParser ??= r => UInt(r, name); break;
                case Argument<double> a: a.CustomParser ??= r => Number(r, name); break;
            }
        }
        foreach (var subcommand in command.Subcommands) UseOperatorParsers(subcommand);
    }

    /// <summary>An integer in [min, max].</summary>
    public static int Int(ArgumentResult result, string name, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = Text(result);
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            return Error<int>(result, $"{name}: '{text}' is not an integer");
        CheckRange(result, name, value, min, max);
        return value;
    }

    /// <summary>Every value of a repeatable integer option, each in [min, max].</summary>
    public static int[] Ints(ArgumentResult result, string name, int min = int.MinValue, int max = int.MaxValue)
    {
        var values = new int[result.Tokens.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var text = result.Tokens[i].Value;
            if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out values[i]))
                return Error<int[]>(result, $"{name}: '{text}' is not an integer");
            if (!CheckRange(result, name, values[i], min, max)) return values;
        }
        return values;
    }

    public static uint UInt(ArgumentResult result, string name)
    {
        var text = Text(result);
        return uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : Error<uint>(result, $"{name}: '{text}' is not a whole number >= 0");
    }

    /// <summary>A number for which <paramref name="allowed"/> holds; <paramref name="rule"/> says which ones do.</summary>
    public static double Number(ArgumentResult result, string name, Func<double, bool>? allowed = null, string rule = "")
    {
        var text = Text(result);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            return Error<double>(result, $"{name}: '{text}' is not a number");
        if (allowed is not null && !allowed(value)) result.AddError($"{name} must be {rule} (got {text})");
        return value;
    }

    /// <summary>A fraction in [0, 1].</summary>
    public static double Fraction(ArgumentResult result, string name) =>
        Number(result, name, v => v is >= 0 and <= 1, "between 0 and 1");

    private static string Text(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";

    private static bool CheckRange(ArgumentResult result, string name, int value, int min, int max)
    {
        if (value >= min && value <= max) return true;
        result.AddError(max == int.MaxValue
            ? string.Create(CultureInfo.InvariantCulture, $"{name} must be >= {min} (got {value})")
            : string.Create(CultureInfo.InvariantCulture, $"{name} must be between {min} and {max} (got {value})"));
        return false;
    }

    private static T Error<T>(ArgumentResult result, string message)
    {
        result.AddError(message);
        return default!;
    }
}
