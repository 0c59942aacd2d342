namespace GainCal.Payloads;

/// <summary>The three gain payload classes of CMSSW that the reference uploader can fill.</summary>
public enum PayloadKind
{
    /// <summary>SiPixelGainCalibrationOffline: pedestal per pixel, gain per column and 80-row half.</summary>
    Offline,
    /// <summary>SiPixelGainCalibrationForHLT: pedestal and gain per column and 80-row half.</summary>
    Hlt,
    /// <summary>SiPixelGainCalibration: pedestal and gain per pixel.</summary>
    Full,
}

public static class PayloadKinds
{
    public const int ModuleRows = 160;
    public const int ModuleColumns = 416;
    /// <summary>Rows averaged into one column value (one ROC height) for the Offline and HLT classes.</summary>
    public const int RowsPerHalf = 80;

    public static IReadOnlyList<PayloadKind> All { get; } = [PayloadKind.Offline, PayloadKind.Hlt, PayloadKind.Full];

    /// <summary>Suffix used in the reference's tag and file names.</summary>
    public static string Suffix(this PayloadKind kind) => kind switch
    {
        PayloadKind.Offline => "offline",
        PayloadKind.Hlt => "hlt",
        PayloadKind.Full => "full",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static string ObjectType(this PayloadKind kind) => kind switch
    {
        PayloadKind.Offline => "SiPixelGainCalibrationOffline",
        PayloadKind.Hlt => "SiPixelGainCalibrationForHLT",
        PayloadKind.Full => "SiPixelGainCalibration",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static string Record(this PayloadKind kind) => kind.ObjectType() + "Rcd";

    /// <summary>Rows averaged per stored column value: 80 (Offline, HLT) or 1 (Full), as the classes' constructors set it.</summary>
    public static int RowsToAverageOver(this PayloadKind kind) => kind == PayloadKind.Full ? 1 : RowsPerHalf;

    /// <summary>Bytes per module column: Offline 2 x (80 pedestals + 1 gain), HLT 2 x (pedestal, gain), Full 160 x (gain, pedestal).</summary>
    public static int BytesPerColumn(this PayloadKind kind) => kind switch
    {
        PayloadKind.Offline => 2 * (RowsPerHalf + 1),
        PayloadKind.Hlt => 4,
        PayloadKind.Full => 2 * ModuleRows,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static bool TryParse(string text, out PayloadKind kind)
    {
        foreach (var k in All)
            if (string.Equals(k.Suffix(), text.Trim(), StringComparison.OrdinalIgnoreCase)) { kind = k; return true; }
        kind = default;
        return false;
    }

    /// <summary>The reference's tag name, e.g. SiPixelGainCalibration_2025_v0_offline.</summary>
    public static string TagName(int year, int version, PayloadKind kind) => $"SiPixelGainCalibration_{year}_v{version}_{kind.Suffix()}";
}
