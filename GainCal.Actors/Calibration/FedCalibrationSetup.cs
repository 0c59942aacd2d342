using GainCal.Detector;

namespace GainCal.Calibration;

/// <summary>Everything a FED calibration needs besides its dump: cabling, pattern, VCal conversion table and fit settings.</summary>
public sealed record FedCalibrationSetup(CablingMap Cabling, CalibrationPattern Pattern, VCalTable VCal, FitSettings Fit)
{
    /// <summary>Beyond the reference: place each event on the calibration sequence by its L1ID, not by reading order, so
    /// that a missing event does not shift every later one onto the wrong VCal point. Off by default (faithful).</summary>
    public bool RealignEvents { get; init; }

    private static readonly Lazy<FedCalibrationSetup> DefaultSetup =
        new(() => new FedCalibrationSetup(CablingMap.Synthetic(), CalibrationPattern.Default, VCalTable.Empty, FitSettings.Production));

    /// <summary>Synthetic cabling, the reference pattern, default VCal conversion (47 e-/VCal, -60 e-), production fit settings.</summary>
    public static FedCalibrationSetup Default => DefaultSetup.Value;

    /// <summary>The default setup with a per-module VCal table read from <paramref name="vcalTablePath"/> when one is given,
    /// and <paramref name="cabling"/> instead of the synthetic map when one is given.</summary>
    public static FedCalibrationSetup ForVCalTag(string? vcalTablePath, CablingMap? cabling = null)
    {
        var setup = string.IsNullOrEmpty(vcalTablePath) ? Default : Default with { VCal = VCalTable.Load(vcalTablePath) };
        return cabling is null ? setup : setup with { Cabling = cabling };
    }
}
