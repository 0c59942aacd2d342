using System.Globalization;
using GainCal.Cluster;

namespace GainCal.Results;

/// <summary>
/// Which of a run's FEDs a merged table holds, and which it lacks or holds from a dump not read whole and clean:
/// the merge writes it into the table's own metadata, so every product that reads only the output tree (summary,
/// payload, twiki) knows a partial run from a whole one.
/// </summary>
/// <param name="Merged">FEDs whose tables are in the merged table (warned ones included).</param>
/// <param name="Failed">FEDs that failed: not in the table.</param>
/// <param name="Warned">FEDs in the table whose dump was not read whole and clean (done-with-warnings).</param>
/// <param name="Missing">FEDs the run expected (its FED list) that had no dump: not in the table.</param>
/// <param name="AbsentModules">DetIds of the modules cabled to the failed and missing FEDs (the run's cabling),
/// ascending: what a payload of this table fills with default values. Null when not determined.</param>
public sealed record RunCompleteness(int[] Merged, int[] Failed, int[] Warned, int[] Missing, uint[]? AbsentModules = null)
{
    const string Prefix = "gaincal.feds.";

    public bool Partial => Failed.Length > 0 || Warned.Length > 0 || Missing.Length > 0;

    /// <summary>FEDs of the run whose modules the table does not hold.</summary>
    public IEnumerable<int> Absent => Failed.Concat(Missing).Distinct().Order();

    /// <summary>One line per kind of gap, e.g. "failed FEDs, not merged: 1201"; none for a whole run.</summary>
    public IReadOnlyList<string> Lines()
    {
        var lines = new List<string>();
        if (Failed.Length > 0) lines.Add($"failed FEDs, not merged: {FedList.Format(Failed)}");
        if (Missing.Length > 0) lines.Add($"FEDs without a dump: {FedList.Format(Missing)}");
        if (Warned.Length > 0) lines.Add($"FEDs merged with warnings (dump not read whole and clean): {FedList.Format(Warned)}");
        return lines;
    }

    /// <summary>"partial run: 1 FED failed, 0 with warnings, 2 without a dump (5 of 8 FEDs merged)", or "whole run: ...".</summary>
    public string Headline() => Partial
        ? $"partial run: {Failed.Length} {(Failed.Length == 1 ? "FED" : "FEDs")} failed, {Warned.Length} with warnings, {Missing.Length} without a dump " +
          $"({Merged.Length} of {Merged.Length + Failed.Length + Missing.Length} FEDs merged)"
        : $"whole run: all {Merged.Length} FEDs merged clean";

    internal IEnumerable<KeyValuePair<string, string>> ToMetadata() =>
    [
        new(Prefix + "merged", Join(Merged)), new(Prefix + "failed", Join(Failed)),
        new(Prefix + "warned", Join(Warned)), new(Prefix + "missing", Join(Missing)),
        new(ModulesKey, string.Join(',', (AbsentModules ?? []).Order().Select(m => m.ToString(CultureInfo.InvariantCulture)))),
    ];

    const string ModulesKey = "gaincal.modules.absent";

    /// <summary>The record of a merged table's metadata; null for a table written without it (a FED table, or a merge
    /// of an earlier release).</summary>
    internal static RunCompleteness? FromMetadata(IReadOnlyDictionary<string, string> metadata, string path)
    {
        if (!metadata.ContainsKey(Prefix + "merged")) return null;
        int[] Get(string key) => metadata.TryGetValue(Prefix + key, out var v) ? Split(v, path, key) : [];
        var modules = metadata.TryGetValue(ModulesKey, out var m)
            ? m.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(x => uint.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                ? id : throw new InvalidDataException($"{path}: metadata {ModulesKey} holds '{x}', not a DetId")).ToArray()
            : null;
        return new RunCompleteness(Get("merged"), Get("failed"), Get("warned"), Get("missing"), modules);
    }

    static string Join(int[] feds) => string.Join(',', feds.Order().Select(f => f.ToString(CultureInfo.InvariantCulture)));

    static int[] Split(string value, string path, string key) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(x => int.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out var f)
            ? f : throw new InvalidDataException($"{path}: metadata {Prefix}{key} holds '{x}', not a FED number")).ToArray();
}
