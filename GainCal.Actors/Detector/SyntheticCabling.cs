namespace GainCal.Detector;

/// <summary>
/// Builds the synthetic cabling (rule in docs/geometry.md). The real (FED, link) ↔ module assignment is in the
/// conditions DB and not available; this one keeps the real counts and a geographic grouping:
/// <list type="bullet">
/// <item>ROCs per link: BPix layer 1: 2, layer 2: 4, layers 3–4 and FPix: 8 (8 / 4 / 2 / 2 links per module).</item>
/// <item>BPix: the 8 FED blocks of 10 ids go to half-shells mO, mI, pO, pI (two blocks each, sectors 1–4 then 5–8);
/// each run of 5 FEDs reads one sector pair, modules ordered by (sector, layer, ladder name, module name), so a FED
/// reads a φ wedge through several layers.</item>
/// <item>FPix: the 4 FED blocks of 7 ids go to half-cylinders mO, mI, pO, pI; modules ordered by
/// (disk, ring, blade name, panel), 24 modules (48 links) per FED.</item>
/// <item>Within a FED, links are numbered 1.. in module order; link j of a module carries idInDetUnit
/// j·n .. j·n+n−1 as ROCs 1..n.</item>
/// </list>
/// </summary>
internal static class SyntheticCabling
{
    private const int BPixFedsPerSectorPair = 5;
    private const int FPixFedsPerHalfCylinder = 7;

    // CMSSW Shell / HalfCylinder enum order: mO, mI, pO, pI.
    private static readonly (bool Minus, bool Inner)[] Halves = [(true, false), (true, true), (false, false), (false, true)];

    public static CablingMap Build()
    {
        var rocs = new List<CabledRoc>(DetId.AllModules.Count * ModuleFrame.RocsPerModule);

        var barrel = DetId.AllModules.Where(d => d.IsBPix).Select(d => (Id: d, Name: BarrelName.Of(d))).ToList();
        for (int block = 0; block < 8; block++)
        {
            var (minus, inner) = Halves[block / 2];
            for (int pair = 0; pair < 2; pair++)
            {
                int firstSector = (block % 2) * 4 + pair * 2 + 1;
                var modules = barrel
                    .Where(m => m.Name.Minus == minus && m.Name.Inner == inner
                                && m.Name.Sector >= firstSector && m.Name.Sector <= firstSector + 1)
                    .OrderBy(m => m.Name.Sector).ThenBy(m => m.Id.Layer).ThenBy(m => m.Name.LadderName).ThenBy(m => m.Name.ModuleName)
                    .Select(m => m.Id)
                    .ToList();
                int firstFed = block * 2 * BPixFedsPerSectorPair + pair * BPixFedsPerSectorPair;
                Distribute(modules, PixelFeds.BPix.Skip(firstFed).Take(BPixFedsPerSectorPair).ToArray(), rocs);
            }
        }

        var endcap = DetId.AllModules.Where(d => d.IsFPix).Select(d => (Id: d, Name: EndcapName.Of(d))).ToList();
        for (int half = 0; half < Halves.Length; half++)
        {
            var (minus, inner) = Halves[half];
            var modules = endcap
                .Where(m => m.Name.Minus == minus && m.Name.Inner == inner)
                .OrderBy(m => m.Id.Disk).ThenBy(m => m.Id.Ring).ThenBy(m => m.Name.BladeName).ThenBy(m => m.Id.Panel)
                .Select(m => m.Id)
                .ToList();
            var feds = PixelFeds.FPix.Skip(half * FPixFedsPerHalfCylinder).Take(FPixFedsPerHalfCylinder).ToArray();
            Distribute(modules, feds, rocs);
        }

        return new CablingMap(rocs);
    }

    internal static int RocsPerLink(DetId id) => id.IsBPix ? id.Layer switch { 1 => 2, 2 => 4, _ => 8 } : 8;

    /// <summary>
    /// Cuts the ordered modules into consecutive runs, one per FED, so that FED k ends at the last module whose
    /// cumulative link count stays within ceil((k+1)·total / FEDs): whole modules per FED, loads within one module of even.
    /// </summary>
    private static void Distribute(List<DetId> modules, int[] feds, List<CabledRoc> rocs)
    {
        int total = modules.Sum(m => ModuleFrame.RocsPerModule / RocsPerLink(m));
        int next = 0, cumulative = 0;
        for (int k = 0; k < feds.Length; k++)
        {
            int target = ((k + 1) * total + feds.Length - 1) / feds.Length;
            int link = 0;
            while (next < modules.Count)
            {
                var module = modules[next];
                int perLink = RocsPerLink(module);
                int links = ModuleFrame.RocsPerModule / perLink;
                if (cumulative + links > target) break;
                for (int j = 0; j < links; j++)
                {
                    link++;
                    for (int r = 0; r < perLink; r++)
                        rocs.Add(new CabledRoc(feds[k], link, r + 1, module, j * perLink + r));
                }
                cumulative += links;
                next++;
            }
        }
    }
}
