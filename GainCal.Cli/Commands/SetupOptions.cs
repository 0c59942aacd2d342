using System.CommandLine;
using GainCal.Calibration;
using GainCal.Detector;

namespace GainCal.Cli.Commands;

/// <summary>The options that choose cabling, pattern and VCal table, shared by the local commands.</summary>
internal sealed class SetupOptions
{
    public Option<FileInfo?> Cabling { get; } = new("--cabling")
    { Description = "Cabling map: a CMS conditions SQLite file holding a SiPixelFedCablingMap payload, or a text file (docs/geometry.md); default: the built-in synthetic Phase-1 map" };
    public Option<string?> CablingTag { get; } = new("--cabling-tag")
    { Description = "Tag of the SiPixelFedCablingMap in the --cabling conditions file, when it holds several" };
    public Option<FileInfo?> Pattern { get; } = new("--pattern")
    { Description = "Calibration pattern JSON (VCal values, repeats, column and row groups); default: the reference's gain_calib_cfg.py pattern" };
    public Option<FileInfo?> VCal { get; } = new("--vcal")
    { Description = "Per-module VCal-to-electrons conversion: a text table (detid slope offset per line) or a SiPixelVCal conditions file in CMSSW's format (`gaincal vcal db`, or exported from CMS); default: 47 e-/VCal, -60 e- for every module" };

    public void AddTo(Command command)
    {
        command.Options.Add(Cabling);
        command.Options.Add(CablingTag);
        command.Options.Add(Pattern);
        command.Options.Add(VCal);
    }

    public FedCalibrationSetup Read(ParseResult parsed)
    {
        var setup = FedCalibrationSetup.Default;
        if (parsed.GetValue(Cabling) is { } cabling)
        {
            setup = setup with { Cabling = CablingMap.Load(CliPaths.InputFile(cabling.FullName, "cabling file"), parsed.GetValue(CablingTag)) };
            Console.WriteLine($"cabling: {setup.Cabling.Origin}");
        }
        else if (parsed.GetValue(CablingTag) is not null)
            throw new ArgumentException("--cabling-tag needs --cabling FILE.db");
        if (parsed.GetValue(Pattern) is { } pattern)
            setup = setup with { Pattern = CalibrationPattern.Load(CliPaths.InputFile(pattern.FullName, "pattern file")) };
        if (parsed.GetValue(VCal) is { } vcal)
        {
            setup = setup with { VCal = VCalTable.Load(CliPaths.InputFile(vcal.FullName, "VCal table")) };
            Console.WriteLine($"VCal: {setup.VCal.Origin}");
        }
        return setup;
    }
}
