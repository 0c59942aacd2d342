using System.Globalization;

namespace GainCal.Payloads;

/// <summary>
/// Delivered luminosity per gain-calibration tag, the input of calc_corrections.py's dose model.
/// Text format (one entry per line, '#' starts a comment):
/// <c>run2 &lt;2017 fb⁻¹&gt; &lt;2018 fb⁻¹&gt;</c> once (default 49.97 65.77), then
/// <c>&lt;tag&gt; &lt;cumulative Run-3 fb⁻¹&gt;</c> or <c>&lt;tag&gt; +&lt;increment over the previous tag&gt;</c>, in tag order.
/// Increments are added in double in file order, as the script builds its dictionary.
/// </summary>
public sealed record LumiTable(double Lumi2017, double Lumi2018, IReadOnlyList<(string Tag, double Run3)> Tags)
{
    public const double DefaultLumi2017 = 49.97;
    public const double DefaultLumi2018 = 65.77;

    public double Run3(string tag)
    {
        foreach (var (t, l) in Tags) if (t == tag) return l;
        throw new KeyNotFoundException($"tag {tag} is not in the luminosity table (tags: {string.Join(", ", Tags.Select(t => t.Tag))})");
    }

    public bool Contains(string tag) => Tags.Any(t => t.Tag == tag);

    public static LumiTable Load(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: cannot read luminosity table: {e.Message}", e);
        }
        return Parse(text, path);
    }

    public static LumiTable Parse(string text, string source)
    {
        double l17 = DefaultLumi2017, l18 = DefaultLumi2018;
        var tags = new List<(string, double)>();
        foreach (var (line, f) in TextFields.Read(text.Split('\n')))
        {
            string where = $"{source}: line {line}";
            if (f[0] == "run2")
            {
                if (f.Length != 3 || !TryNumber(f[1], out l17) || !TryNumber(f[2], out l18))
                    throw new InvalidDataException($"{where}: expected 'run2 <2017 fb^-1> <2018 fb^-1>'");
                if (l17 < 0 || l18 < 0) throw new InvalidDataException($"{where}: negative Run-2 luminosity ({f[1]}, {f[2]}); a delivered luminosity is >= 0");
                continue;
            }
            if (f.Length != 2) throw new InvalidDataException($"{where}: expected '<tag> <fb^-1>' or '<tag> +<increment>', got {f.Length} fields");
            if (tags.Any(t => t.Item1 == f[0])) throw new InvalidDataException($"{where}: tag {f[0]} listed twice");
            bool increment = f[1].StartsWith('+');
            if (!TryNumber(increment ? f[1][1..] : f[1], out var value))
                throw new InvalidDataException($"{where}: luminosity '{f[1]}' is not a finite number");
            if (value < 0)
                throw new InvalidDataException($"{where}: negative {(increment ? "increment" : "cumulative luminosity")} '{f[1]}' for tag {f[0]}; a delivered luminosity is >= 0");
            if (increment && tags.Count == 0) throw new InvalidDataException($"{where}: the first tag needs a cumulative value, not an increment");
            tags.Add((f[0], increment ? tags[^1].Item2 + value : value));
        }
        if (tags.Count == 0) throw new InvalidDataException($"{source}: no tag in the luminosity table");
        return new LumiTable(l17, l18, tags);
    }

    private static bool TryNumber(string s, out double value) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}
