using System.Globalization;
using System.Text;

namespace GainCal.Detector;

/// <summary>
/// Text format of the cabling (docs/geometry.md), modelled on CMSSW's pixelToLNK ascii files: one line per link,
/// "FED LINK MODULE IDINDETUNIT [FIRST_ROC]", '#' starts a comment. MODULE is a Phase-1 module name or a decimal
/// detid; IDINDETUNIT is "i" or "i-j" (ascending); the ROC number on the link is FIRST_ROC (default 1) + (i − first i).
/// </summary>
internal static class CablingFile
{
    public static CablingMap Read(string path)
    {
        var rocs = new List<CabledRoc>();
        var addressLine = new Dictionary<(int Fed, int Link, int Roc), int>();
        var moduleRocLine = new Dictionary<(DetId, int), int>();
        foreach (var (lineNumber, fields) in TextFields.Read(File.ReadLines(path)))
        {

            CablingFormatException Error(string problem) => new(path, lineNumber, problem);

            if (fields.Length is not (4 or 5))
                throw Error($"expected 'FED LINK MODULE IDINDETUNIT [FIRST_ROC]', found {fields.Length} fields");
            if (!TryInt(fields[0], out int fed)) throw Error($"FED '{fields[0]}' is not a number");
            if (!TryInt(fields[1], out int link)) throw Error($"link '{fields[1]}' is not a number");
            if (!TryModule(fields[2], out var detId)) throw Error($"'{fields[2]}' is neither a Phase-1 module name nor a module detid");
            if (!TryRange(fields[3], out int first, out int last))
                throw Error($"idInDetUnit '{fields[3]}' is not 'i' or 'i-j' with 0 <= i <= j <= 15");
            int firstRoc = 1;
            if (fields.Length == 5 && !TryInt(fields[4], out firstRoc)) throw Error($"first ROC '{fields[4]}' is not a number");

            for (int id = first; id <= last; id++)
            {
                var roc = new CabledRoc(fed, link, firstRoc + id - first, detId, id);
                if (FedCabling.Problem(roc) is { } problem) throw Error(problem);
                if (!addressLine.TryAdd((fed, link, roc.Roc), lineNumber))
                    throw Error($"FED {fed} link {link} ROC {roc.Roc} is already cabled on line {addressLine[(fed, link, roc.Roc)]}");
                if (!moduleRocLine.TryAdd((detId, id), lineNumber))
                    throw Error($"ROC {id} of {detId.ModuleName} is already cabled on line {moduleRocLine[(detId, id)]}");
                rocs.Add(roc);
            }
        }
        if (rocs.Count == 0) throw new CablingFormatException(path, 0, "no cabled ROC in the file");
        return new CablingMap(rocs);
    }

    public static void Write(CablingMap map, string path)
    {
        var text = new StringBuilder();
        text.Append("# GainCal pixel cabling map (format: docs/geometry.md)\n");
        text.Append("# FED  LINK  MODULE                          IDINDETUNIT  [FIRST_ROC]   # detid\n");
        foreach (int fed in map.Feds)
        {
            var cabling = map.ForFed(fed);
            text.Append(CultureInfo.InvariantCulture,
                $"\n# FED {fed}: {cabling.LinkCount} links, {cabling.Rocs.Count} ROCs, {cabling.Modules.Count} modules\n");
            var rocs = cabling.Rocs;
            for (int start = 0; start < rocs.Count;)
            {
                // A line covers consecutive ROCs of one link and one module with ascending idInDetUnit and ROC number.
                int end = start + 1;
                while (end < rocs.Count && rocs[end].Link == rocs[start].Link && rocs[end].DetId == rocs[start].DetId
                       && rocs[end].Roc == rocs[end - 1].Roc + 1 && rocs[end].IdInDetUnit == rocs[end - 1].IdInDetUnit + 1)
                    end++;
                var head = rocs[start];
                int lastId = rocs[end - 1].IdInDetUnit;
                string range = lastId == head.IdInDetUnit ? $"{head.IdInDetUnit}" : $"{head.IdInDetUnit}-{lastId}";
                string firstRoc = head.Roc == 1 ? "" : head.Roc.ToString(CultureInfo.InvariantCulture);
                text.Append(CultureInfo.InvariantCulture,
                    $"{fed,4} {head.Link,5}  {head.DetId.ModuleName,-31} {range,-12} {firstRoc,-11} # {head.DetId.Raw}\n");
                start = end;
            }
        }
        File.WriteAllText(path, text.ToString());
    }

    private static bool TryInt(string s, out int value) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static bool TryModule(string s, out DetId detId)
    {
        if (uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out uint raw))
        {
            detId = new DetId(raw);
            return detId.IsPhase1Module;
        }
        return DetId.TryParseModuleName(s, out detId);
    }

    private static bool TryRange(string s, out int first, out int last)
    {
        int dash = s.IndexOf('-');
        bool ok = dash < 0
            ? TryInt(s, out first) & TryInt(s, out last)
            : TryInt(s[..dash], out first) & TryInt(s[(dash + 1)..], out last);
        return ok && first <= last && last < ModuleFrame.RocsPerModule;
    }
}
