namespace GainCal.Payloads;

/// <summary>
/// Parameters of SiPixelGainCalibrationDBUploader as SiPixelGainCalibrationDBUploader_cfg.py sets them for
/// Run 3 (identical for the offline, hlt and full blocks). The uploader derives its working ranges from them:
/// gain (0, min(1000, gainmax)) and pedestal (pedlow, min(pedhigh, pedmax)), all held in float.
/// </summary>
public sealed record UploaderSettings(float PedLow, float PedHigh, float PedMax, float GainMax, bool UseMeanWhenEmpty)
{
    public static UploaderSettings Reference { get; } = new(-100f, 250f, 250f, 500f, true);

    public float GainLow => 0f;
    public float GainHigh => Math.Min(1000f, GainMax);
    public float PedHighUsed => Math.Min(PedHigh, PedMax);

    /// <summary>Values written for a pixel when useMeanWhenEmpty is off: below every range, hence dead.</summary>
    public float BadPedestal => PedLow - 200f;
    public float BadGain => GainLow - 200f;

    /// <summary>The payload objects are constructed with (pedlow, pedhigh, gainlow·0.999, gainhigh·1.001).</summary>
    public GainEncoding EncodingFor(PayloadKind kind) =>
        GainEncoding.For(kind, PedLow, PedHighUsed, (float)(GainLow * 0.999), (float)(GainHigh * 1.001));
}
