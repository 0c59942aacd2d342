namespace GainCal.Detector;

/// <summary>
/// How the 16 ROCs of a 2×8 module are laid out in the module frame (CMSSW FrameConversion, Phase-1 layer-aware
/// version; domain.md 14.3). i = idInDetUnit, (R, C) = ROC-local row/column, (r, c) = module row/column.
/// </summary>
public enum FrameRule
{
    /// <summary>
    /// i = 0..7: r = 159 − R, c = 52·i + C; i = 8..15: r = R, c = 52·(16 − i) − 1 − C.
    /// BPix layer 1 (all modules) and BPix layers 2–4 with offline module 5..8 (+z).
    /// </summary>
    A,

    /// <summary>
    /// Rule A rotated by 180°. i = 0..7: r = R, c = 52·(8 − i) − 1 − C; i = 8..15: r = 159 − R, c = 52·(i − 8) + C.
    /// BPix layers 2–4 with offline module 1..4 (−z) and every FPix module.
    /// </summary>
    B,
}

/// <summary>Phase-1 module and ROC dimensions and the ROC → module frame conversion.</summary>
public static class ModuleFrame
{
    public const int RocRows = 80;
    public const int RocCols = 52;
    public const int RocsPerModule = 16;
    public const int ModuleRows = 2 * RocRows;
    public const int ModuleCols = 8 * RocCols;

    public static FrameRule RuleOf(DetId detId) =>
        detId.IsBPix && (detId.Layer == 1 || detId.Module >= 5) ? FrameRule.A : FrameRule.B;

    /// <summary>
    /// Module (row 0..159, col 0..415) of ROC-local (row 0..79, col 0..51) on the ROC with index
    /// <paramref name="idInDetUnit"/> (0..15). Arguments are not range-checked: this is called per hit.
    /// </summary>
    public static (int Row, int Col) ToModule(FrameRule rule, int idInDetUnit, int rocRow, int rocCol)
    {
        bool firstEight = idInDetUnit < 8;
        if (rule == FrameRule.A)
            return firstEight
                ? (ModuleRows - 1 - rocRow, RocCols * idInDetUnit + rocCol)
                : (rocRow, RocCols * (16 - idInDetUnit) - 1 - rocCol);
        return firstEight
            ? (rocRow, RocCols * (8 - idInDetUnit) - 1 - rocCol)
            : (ModuleRows - 1 - rocRow, RocCols * (idInDetUnit - 8) + rocCol);
    }
}

/// <summary>One ROC of the cabling: its readout address (FED, link 1..48, ROC 1..8 on the link) and its place in a module.</summary>
public sealed record CabledRoc(int Fed, int Link, int Roc, DetId DetId, int IdInDetUnit)
{
    /// <summary>BPix layer-1 ROCs send ROC-local row/col directly instead of DCOL/PXID.</summary>
    public bool IsLayer1 => DetId.IsBPix && DetId.Layer == 1;

    public FrameRule Rule => ModuleFrame.RuleOf(DetId);

    public (int Row, int Col) ToModule(int rocRow, int rocCol) => ModuleFrame.ToModule(Rule, IdInDetUnit, rocRow, rocCol);
}
