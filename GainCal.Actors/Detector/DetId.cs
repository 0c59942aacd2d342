using System.Globalization;

namespace GainCal.Detector;

/// <summary>
/// A Phase-1 pixel module id (CMSSW DetId with the Phase-1 TrackerTopology layout, trackerParameters.xml):
/// det 1 (Tracker) in bits 28..31, sub-detector in bits 25..27 (1 = BPix, 2 = FPix).
/// BPix: layer bits 20 (4 bits), ladder bits 12 (8 bits), module bits 2 (10 bits).
/// FPix: side bits 23 (2 bits), disk bits 18 (4 bits), blade bits 12 (6 bits), panel bits 10 (2 bits), module bits 2 (8 bits).
/// Field accessors return 0 when they do not apply to the sub-detector.
/// </summary>
public readonly record struct DetId(uint Raw)
{
    private const uint Tracker = 1;
    private const uint SubdetBPix = 1;
    private const uint SubdetFPix = 2;
    private const uint DetSubdetBPix = (Tracker << 3) | SubdetBPix;
    private const uint DetSubdetFPix = (Tracker << 3) | SubdetFPix;

    /// <summary>Ladders per BPix layer 1..4 (index layer − 1).</summary>
    internal static ReadOnlySpan<int> LaddersPerLayer => [12, 28, 44, 64];

    public const int ModulesPerLadder = 8;
    public const int FPixSides = 2;
    public const int FPixDisks = 3;
    public const int BladesPerDisk = 56;
    public const int PanelsPerBlade = 2;

    /// <summary>Last offline blade of FPix ring 1; blades 23..56 form ring 2.</summary>
    public const int LastRing1Blade = 22;

    public static DetId BPix(int layer, int ladder, int module)
    {
        if (layer is < 1 or > 4)
            throw new ArgumentOutOfRangeException(nameof(layer), layer, "BPix layer must be 1..4");
        if (ladder < 1 || ladder > LaddersPerLayer[layer - 1])
            throw new ArgumentOutOfRangeException(nameof(ladder), ladder, $"BPix layer {layer} has ladders 1..{LaddersPerLayer[layer - 1]}");
        if (module is < 1 or > ModulesPerLadder)
            throw new ArgumentOutOfRangeException(nameof(module), module, "BPix module must be 1..8");
        return ComposeBPix(layer, ladder, module);
    }

    /// <summary>An FPix module; in Phase-1 every panel is one module, so <paramref name="module"/> must be 1.</summary>
    public static DetId FPix(int side, int disk, int blade, int panel, int module = 1)
    {
        if (side is < 1 or > FPixSides)
            throw new ArgumentOutOfRangeException(nameof(side), side, "FPix side must be 1 (-z) or 2 (+z)");
        if (disk is < 1 or > FPixDisks)
            throw new ArgumentOutOfRangeException(nameof(disk), disk, "FPix disk must be 1..3");
        if (blade is < 1 or > BladesPerDisk)
            throw new ArgumentOutOfRangeException(nameof(blade), blade, "FPix blade must be 1..56");
        if (panel is < 1 or > PanelsPerBlade)
            throw new ArgumentOutOfRangeException(nameof(panel), panel, "FPix panel must be 1..2");
        if (module != 1)
            throw new ArgumentOutOfRangeException(nameof(module), module, "Phase-1 FPix module is always 1");
        return ComposeFPix(side, disk, blade, panel, module);
    }

    public bool IsBPix => Raw >> 25 == DetSubdetBPix;
    public bool IsFPix => Raw >> 25 == DetSubdetFPix;

    public int Layer => IsBPix ? (int)((Raw >> 20) & 0xF) : 0;
    public int Ladder => IsBPix ? (int)((Raw >> 12) & 0xFF) : 0;
    public int Module => IsBPix ? (int)((Raw >> 2) & 0x3FF) : IsFPix ? (int)((Raw >> 2) & 0xFF) : 0;
    public int Side => IsFPix ? (int)((Raw >> 23) & 0x3) : 0;
    public int Disk => IsFPix ? (int)((Raw >> 18) & 0xF) : 0;
    public int Blade => IsFPix ? (int)((Raw >> 12) & 0x3F) : 0;
    public int Panel => IsFPix ? (int)((Raw >> 10) & 0x3) : 0;
    public int Ring => IsFPix ? (Blade <= LastRing1Blade ? 1 : 2) : 0;

    /// <summary>True if this id is one of the 1856 modules of <see cref="AllModules"/> (fields in range, no stray bits).</summary>
    public bool IsPhase1Module
    {
        get
        {
            if (IsBPix)
            {
                int layer = Layer, ladder = Ladder, module = Module;
                return layer is >= 1 and <= 4 && ladder >= 1 && ladder <= LaddersPerLayer[layer - 1]
                    && module is >= 1 and <= ModulesPerLadder && ComposeBPix(layer, ladder, module).Raw == Raw;
            }
            if (IsFPix)
            {
                int side = Side, disk = Disk, blade = Blade, panel = Panel;
                return side is >= 1 and <= FPixSides && disk is >= 1 and <= FPixDisks && blade is >= 1 and <= BladesPerDisk
                    && panel is >= 1 and <= PanelsPerBlade && ComposeFPix(side, disk, blade, panel, 1).Raw == Raw;
            }
            return false;
        }
    }

    /// <summary>
    /// The PixelBarrelName / PixelEndcapName Phase-1 name, e.g. "BPix_BmI_SEC3_LYR1_LDR3F_MOD4"
    /// or "FPix_BmI_D1_BLD1_PNL1_RNG1"; "NotAPixelModule_&lt;raw&gt;" for ids outside <see cref="AllModules"/>.
    /// </summary>
    public string ModuleName
    {
        get
        {
            if (!IsPhase1Module) return $"NotAPixelModule_{Raw}";
            if (IsBPix)
            {
                var n = BarrelName.Of(this);
                return $"BPix_B{n.Shell}_SEC{n.Sector}_LYR{Layer}_LDR{n.LadderName}F_MOD{n.ModuleName}";
            }
            var e = EndcapName.Of(this);
            return $"FPix_B{e.HalfCylinder}_D{Disk}_BLD{e.BladeName}_PNL{Panel}_RNG{Ring}";
        }
    }

    /// <summary>All 1856 Phase-1 modules: BPix by (layer, ladder, module), then FPix by (side, disk, blade, panel).</summary>
    public static IReadOnlyList<DetId> AllModules { get; } = Array.AsReadOnly(BuildAllModules());

    /// <summary>Parses a Phase-1 module name (exact spelling, sector included); false for anything else.</summary>
    public static bool TryParseModuleName(string name, out DetId id)
    {
        id = default;
        var parts = name.Split('_');
        if (parts.Length != 6 || parts[1].Length != 3 || parts[1][0] != 'B') return false;
        char z = parts[1][1], io = parts[1][2];
        if (z is not ('m' or 'p') || io is not ('I' or 'O')) return false;
        bool minus = z == 'm', inner = io == 'I';

        DetId candidate;
        if (parts[0] == "BPix")
        {
            if (!parts[4].EndsWith('F')
                || !TryNumber(parts[3], "LYR", out int layer) || layer is < 1 or > 4
                || !TryNumber(parts[4][..^1], "LDR", out int ladderName)
                || !TryNumber(parts[5], "MOD", out int moduleName) || moduleName is < 1 or > 4
                || !TryNumber(parts[2], "SEC", out _))
                return false;
            int ladder = BarrelName.OfflineLadder(layer, inner, ladderName);
            if (ladder < 1) return false;
            candidate = ComposeBPix(layer, ladder, minus ? 5 - moduleName : moduleName + 4);
        }
        else if (parts[0] == "FPix")
        {
            if (!TryNumber(parts[2], "D", out int disk) || disk is < 1 or > FPixDisks
                || !TryNumber(parts[3], "BLD", out int bladeName)
                || !TryNumber(parts[4], "PNL", out int panel) || panel is < 1 or > PanelsPerBlade
                || !TryNumber(parts[5], "RNG", out int ring) || ring is < 1 or > 2)
                return false;
            int blade = EndcapName.OfflineBlade(ring, inner, bladeName);
            if (blade < 1) return false;
            candidate = ComposeFPix(minus ? 1 : 2, disk, blade, panel, 1);
        }
        else
            return false;

        // The sector (BPix) is redundant with the other fields: accept only the exact canonical name.
        if (candidate.ModuleName != name) return false;
        id = candidate;
        return true;
    }

    public override string ToString() => $"{Raw} ({ModuleName})";

    private static bool TryNumber(string token, string prefix, out int value)
    {
        value = 0;
        return token.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(token.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static DetId ComposeBPix(int layer, int ladder, int module) =>
        new((Tracker << 28) | (SubdetBPix << 25) | ((uint)layer << 20) | ((uint)ladder << 12) | ((uint)module << 2));

    private static DetId ComposeFPix(int side, int disk, int blade, int panel, int module) =>
        new((Tracker << 28) | (SubdetFPix << 25) | ((uint)side << 23) | ((uint)disk << 18) | ((uint)blade << 12)
            | ((uint)panel << 10) | ((uint)module << 2));

    private static DetId[] BuildAllModules()
    {
        var all = new List<DetId>(1856);
        for (int layer = 1; layer <= 4; layer++)
            for (int ladder = 1; ladder <= LaddersPerLayer[layer - 1]; ladder++)
                for (int module = 1; module <= ModulesPerLadder; module++)
                    all.Add(ComposeBPix(layer, ladder, module));
        for (int side = 1; side <= FPixSides; side++)
            for (int disk = 1; disk <= FPixDisks; disk++)
                for (int blade = 1; blade <= BladesPerDisk; blade++)
                    for (int panel = 1; panel <= PanelsPerBlade; panel++)
                        all.Add(ComposeFPix(side, disk, blade, panel, 1));
        return [.. all];
    }
}

/// <summary>
/// Online (PixelBarrelName, Phase-1) view of a BPix module: shell, sector, ladder and module names.
/// Ladder limits (a, b, c) per layer split the offline ladders 1..N into inner (+) and outer (−) shells.
/// </summary>
internal readonly record struct BarrelName(bool Minus, bool Inner, int Sector, int LadderName, int ModuleName)
{
    private static ReadOnlySpan<int> LimitA => [3, 7, 11, 16];
    private static ReadOnlySpan<int> LimitB => [9, 21, 33, 48];
    private static ReadOnlySpan<int> LimitC => [16, 36, 56, 81];

    // Sector by ladder name for layers 2 and 3 (index = ladder name − 1); layer 4 is ceil(n / 4).
    private static ReadOnlySpan<byte> SectorLayer2 => [1, 1, 2, 2, 3, 4, 4, 5, 5, 6, 7, 7, 8, 8];
    private static ReadOnlySpan<byte> SectorLayer3 => [1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7, 8, 8];

    /// <summary>"mI", "pO" ...: z side then inner/outer.</summary>
    public string Shell => (Minus ? "m" : "p") + (Inner ? "I" : "O");

    public static BarrelName Of(DetId id)
    {
        int layer = id.Layer, ladder = id.Ladder, module = id.Module;
        int a = LimitA[layer - 1], b = LimitB[layer - 1], c = LimitC[layer - 1];
        int signedLadder = ladder <= a ? a + 1 - ladder : ladder <= b ? a - ladder : c - ladder;
        bool minus = module <= 4;
        int moduleName = minus ? 5 - module : module - 4;
        int ladderName = Math.Abs(signedLadder);
        return new BarrelName(minus, signedLadder > 0, SectorOf(layer, ladderName, moduleName), ladderName, moduleName);
    }

    /// <summary>Offline ladder of a (layer, shell side, ladder name); 0 if the name does not exist.</summary>
    public static int OfflineLadder(int layer, bool inner, int ladderName)
    {
        int a = LimitA[layer - 1], b = LimitB[layer - 1], c = LimitC[layer - 1];
        int n = DetId.LaddersPerLayer[layer - 1];
        if (ladderName < 1) return 0;
        if (!inner) return ladderName <= b - a ? ladderName + a : 0;
        if (ladderName <= a) return a + 1 - ladderName;
        return ladderName <= a + n - b ? c - ladderName : 0;
    }

    private static int SectorOf(int layer, int ladderName, int moduleName) => layer switch
    {
        // Layer 1 ladders straddle sector boundaries, so the sector depends on the module too.
        1 => Layer1Sector(ladderName, moduleName),
        2 => SectorLayer2[ladderName - 1],
        3 => SectorLayer3[ladderName - 1],
        _ => (ladderName + 3) / 4,
    };

    private static int Layer1Sector(int ladderName, int moduleName)
    {
        // Ladder names 1..3 cover sectors 1..4, names 4..6 sectors 5..8 (one per half of the half-shell);
        // within each triple, ladder k keeps modules > k in sector k and gives the rest to sector k + 1.
        int k = ladderName <= 3 ? ladderName : ladderName - 3;
        int first = ladderName <= 3 ? 0 : 4;
        return first + (moduleName > k ? k : k + 1);
    }
}

/// <summary>Online (PixelEndcapName, Phase-1) view of an FPix module: half-cylinder and blade name.</summary>
internal readonly record struct EndcapName(bool Minus, bool Inner, int BladeName)
{
    public string HalfCylinder => (Minus ? "m" : "p") + (Inner ? "I" : "O");

    public static EndcapName Of(DetId id)
    {
        int b = id.Blade;
        (bool inner, int name) = b switch
        {
            <= 6 => (true, 7 - b),
            <= 17 => (false, b - 6),
            <= 22 => (true, 29 - b),
            <= 31 => (true, 32 - b),
            <= 48 => (false, b - 31),
            _ => (true, 66 - b),
        };
        return new EndcapName(id.Side == 1, inner, name);
    }

    /// <summary>Offline blade of a (ring, inner/outer, blade name); 0 if the name does not exist.</summary>
    public static int OfflineBlade(int ring, bool inner, int bladeName)
    {
        if (ring == 1)
        {
            if (bladeName is < 1 or > 11) return 0;
            return !inner ? bladeName + 6 : bladeName <= 6 ? 7 - bladeName : 29 - bladeName;
        }
        if (bladeName is < 1 or > 17) return 0;
        return !inner ? bladeName + 31 : bladeName <= 9 ? 32 - bladeName : 66 - bladeName;
    }
}
