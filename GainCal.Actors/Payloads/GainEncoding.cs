namespace GainCal.Payloads;

/// <summary>
/// The 8-bit pedestal/gain encoding shared by the three CMSSW gain payload classes:
/// 253 data codes spread evenly over [min, max], 254 = noisy, 255 = dead, truncation toward zero.
/// Offline and Full divide the range by 253 in float and widen the step to double before encoding and
/// decoding; the HLT class keeps everything in float. Each class's arithmetic is reproduced so decoded
/// values match CMSSW bit for bit.
/// </summary>
public sealed class GainEncoding
{
    public const int BinsUsedForEncoding = 253;
    public const byte DeadFlag = 255;
    public const byte NoisyFlag = 254;

    /// <summary>Reference uploader ranges (SiPixelGainCalibrationDBUploader_cfg.py, Run 3): pedlow −100,
    /// pedhigh = pedmax = 250; gain 0×0.999 .. min(1000, gainmax 500)×1.001.</summary>
    public const float ReferenceMinPedestal = -100f;
    public const float ReferenceMaxPedestal = 250f;
    public const float ReferenceMinGain = (float)(0f * 0.999);
    public const float ReferenceMaxGain = (float)(500f * 1.001);

    private readonly double _pedStep;
    private readonly double _gainStep;
    private readonly float _pedStepF;
    private readonly float _gainStepF;

    public GainEncoding(float minPedestal, float maxPedestal, float minGain, float maxGain, bool singlePrecision)
    {
        if (!(maxPedestal > minPedestal) || !(maxGain > minGain))
            throw new ArgumentException($"encoding ranges must be non-empty: pedestal [{minPedestal}, {maxPedestal}], gain [{minGain}, {maxGain}]");
        MinPedestal = minPedestal; MaxPedestal = maxPedestal; MinGain = minGain; MaxGain = maxGain;
        SinglePrecision = singlePrecision;
        _pedStepF = (maxPedestal - minPedestal) / (float)BinsUsedForEncoding;
        _gainStepF = (maxGain - minGain) / (float)BinsUsedForEncoding;
        _pedStep = _pedStepF;
        _gainStep = _gainStepF;
    }

    /// <summary>The encoding of the given payload class with the reference uploader's ranges.</summary>
    public static GainEncoding Reference(PayloadKind kind) =>
        For(kind, ReferenceMinPedestal, ReferenceMaxPedestal, ReferenceMinGain, ReferenceMaxGain);

    public static GainEncoding For(PayloadKind kind, float minPedestal, float maxPedestal, float minGain, float maxGain) =>
        new(minPedestal, maxPedestal, minGain, maxGain, singlePrecision: kind == PayloadKind.Hlt);

    public float MinPedestal { get; }
    public float MaxPedestal { get; }
    public float MinGain { get; }
    public float MaxGain { get; }

    /// <summary>True for the HLT class (float arithmetic throughout).</summary>
    public bool SinglePrecision { get; }

    /// <summary>Width of one pedestal code (ADC).</summary>
    public double PedestalStep => _pedStep;

    /// <summary>Width of one gain code (electrons per ADC).</summary>
    public double GainStep => _gainStep;

    /// <summary>(max − min) / 253 in float: the HLT class's pedPrecision, stored in its payload.</summary>
    public float PedestalStepSingle => _pedStepF;

    /// <summary>The HLT class's gainPrecision.</summary>
    public float GainStepSingle => _gainStepF;

    public bool PedestalInRange(float pedestal) => pedestal >= MinPedestal && pedestal <= MaxPedestal;
    public bool GainInRange(float gain) => gain >= MinGain && gain <= MaxGain;

    /// <summary>Data code of a pedestal; CMSSW throws for values outside [min, max], so does this (NaN included).</summary>
    public byte EncodePedestal(float pedestal)
    {
        if (!PedestalInRange(pedestal))
            throw new ArgumentOutOfRangeException(nameof(pedestal), pedestal, $"pedestal outside the encoding range [{MinPedestal}, {MaxPedestal}]");
        return Encode(pedestal, MinPedestal, _pedStep, _pedStepF);
    }

    public byte EncodeGain(float gain)
    {
        if (!GainInRange(gain))
            throw new ArgumentOutOfRangeException(nameof(gain), gain, $"gain outside the encoding range [{MinGain}, {MaxGain}]");
        return Encode(gain, MinGain, _gainStep, _gainStepF);
    }

    public float DecodePedestal(int code) => Decode(code, MinPedestal, _pedStep, _pedStepF);
    public float DecodeGain(int code) => Decode(code, MinGain, _gainStep, _gainStepF);

    private byte Encode(float value, float min, double step, float stepF)
    {
        // Explicit casts pin each intermediate to the precision the C++ class uses.
        float encoded = SinglePrecision ? (float)((float)(value - min) / stepF) : (float)((float)(value - min) / step);
        return (byte)((uint)encoded & 0xFF);
    }

    private float Decode(int code, float min, double step, float stepF) =>
        SinglePrecision ? (float)((float)(code * stepF) + min) : (float)(code * step + min);
}
