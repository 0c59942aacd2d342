using GainCal.Detector;

namespace GainCal.Payloads;

/// <summary>What the uploader reports at the end of a job, plus the means it substituted.</summary>
public sealed record UploaderSummary
{
    public float MeanGain { get; init; }
    public float MeanPedestal { get; init; }
    public int Modules { get; init; }
    public long Channels { get; init; }
    public int ModulesMissing { get; init; }
    public int ModulesWithData { get; init; }
    /// <summary>Input detids that are not modules of the detector (used for the global means only, as the reference does).</summary>
    public IReadOnlyList<uint> UnknownModules { get; init; } = [];
    public int ModulesEmpty { get; init; }
    public int ModulesWithDefaultPixels { get; init; }
    public int ModulesWithDeadPixels { get; init; }
    public int ModulesWithDefaultColumns { get; init; }
    public int ModulesWithDeadColumns { get; init; }
    public long PixelsWithFit { get; init; }
    public long PixelsWithoutFit { get; init; }
    /// <summary>Pixels the uploader kept as measured: status &gt; 0 and inside its own pedestal/gain ranges.</summary>
    public long PixelsGood { get; init; }
    /// <summary>Good fits (<see cref="Results.GoodFit"/>), the count merge, summary and compare print.</summary>
    public long PixelsGoodFit { get; init; }
    public long PixelsSubstituted { get; init; }
    public long PixelsWritten { get; init; }
}

public sealed record PayloadBuild(IReadOnlyDictionary<PayloadKind, GainPayload> Payloads, UploaderSummary Summary);

/// <summary>
/// Port of SiPixelGainCalibrationDBUploader::fillDatabase: global means, per-module means, substitution of
/// failed or out-of-range pixels, per-column averages of each 80-row half, and the byte streams of the three
/// payload classes, module by module in geometry order.
/// </summary>
public static class GainPayloadBuilder
{
    private const int Rows = PayloadKinds.ModuleRows;
    private const int Cols = PayloadKinds.ModuleColumns;
    private const int Half = PayloadKinds.RowsPerHalf;
    private const int Pixels = Rows * Cols;

    // Per-module bookkeeping values of the reference (badresults): 0 empty, 1 default pixels, 2 dead pixels,
    // 3 default columns, 4 dead columns; the last assignment of the module wins.
    private const int NoFlag = -1, Empty = 0, DefaultPixels = 1, DeadPixels = 2, DefaultColumns = 3, DeadColumns = 4;

    public static PayloadBuild Build(PayloadInput input, IEnumerable<PayloadKind> kinds, UploaderSettings? settings = null,
        IReadOnlyList<DetId>? modules = null, IProgress<int>? progress = null)
    {
        settings ??= UploaderSettings.Reference;
        modules ??= DetId.AllModules;
        var wanted = kinds.Distinct().ToArray();
        if (wanted.Length == 0) throw new ArgumentException("no payload kind requested");

        var gain = new float[Pixels];
        var ped = new float[Pixels];
        var status = new sbyte[Pixels];
        var (meanGain, meanPed) = GlobalMeans(input, settings, gain, ped, status);

        var payloads = wanted.ToDictionary(k => k, k => new GainPayload(k, settings.EncodingFor(k), modules.Count));
        payloads.TryGetValue(PayloadKind.Offline, out var offline);
        payloads.TryGetValue(PayloadKind.Hlt, out var hlt);
        payloads.TryGetValue(PayloadKind.Full, out var full);
        var offlineBytes = new byte[Cols * PayloadKind.Offline.BytesPerColumn()];
        var hltBytes = new byte[Cols * PayloadKind.Hlt.BytesPerColumn()];
        var fullBytes = new byte[Cols * PayloadKind.Full.BytesPerColumn()];
        var offEnc = settings.EncodingFor(PayloadKind.Offline);
        var hltEnc = settings.EncodingFor(PayloadKind.Hlt);
        var fullEnc = settings.EncodingFor(PayloadKind.Full);

        float pedLow = settings.PedLow, pedHigh = settings.PedHighUsed, gainLow = settings.GainLow, gainHigh = settings.GainHigh;
        bool InRange(float p, float g) => p > pedLow && g > gainLow && p < pedHigh && g < gainHigh;

        var peds = new float[Rows];
        var gains = new float[Rows];
        var flags = new int[5];
        Span<int> used = stackalloc int[2];
        Span<float> pedCol = stackalloc float[2];
        Span<float> gainCol = stackalloc float[2];
        Span<float> cluster = stackalloc float[4];
        int missing = 0, withData = 0, done = 0;
        long withFit = 0, withoutFit = 0, good = 0, goodFit = 0, substituted = 0, written = 0;

        foreach (var id in modules)
        {
            uint detId = id.Raw;
            bool present = input.Contains(detId);
            int flag = NoFlag;
            if (present)
            {
                input.FillModule(detId, gain, ped, status);
                withData++;
            }
            else
            {
                // The uploader's default histograms: global means, fit result 0.
                Array.Fill(gain, meanGain);
                Array.Fill(ped, meanPed);
                Array.Clear(status);
                missing++;
                flag = Empty;
            }

            // Module means over fitted pixels (no range cut), replacing the global means if plausible and
            // based on more than 100 pixels.
            int npix = 0;
            double moduleGain = 0, modulePed = 0;
            for (int i = 0; i < Pixels; i++)
            {
                if (status[i] > 0)
                {
                    if (present && Results.GoodFit.Is(status[i], gain[i], ped[i])) goodFit++;
                    npix++;
                    moduleGain += gain[i];
                    modulePed += ped[i];
                }
            }
            if (present) { withFit += npix; withoutFit += Pixels - npix; }
            if (npix != 0) { moduleGain /= npix; modulePed /= npix; }
            float subGain = meanGain, subPed = meanPed;
            if (settings.UseMeanWhenEmpty)
            {
                if (moduleGain > gainLow && moduleGain < gainHigh && npix > 100) subGain = (float)moduleGain;
                if (modulePed > pedLow && modulePed < pedHigh && npix > 100) subPed = (float)modulePed;
            }

            int off = 0, h = 0, f = 0;
            for (int col = 0; col < Cols; col++)
            {
                used.Clear(); pedCol.Clear(); gainCol.Clear(); cluster.Clear();
                int baseIndex = col * Rows;
                for (int row = 0; row < Rows; row++)
                {
                    int half = row < Half ? 0 : 1;
                    float p = ped[baseIndex + row], g = gain[baseIndex + row];
                    if (InRange(p, g) && status[baseIndex + row] > 0)
                    {
                        if (present) good++;
                        peds[row] = p;
                        gains[row] = g;
                        pedCol[half] = (float)(pedCol[half] + p);
                        gainCol[half] = (float)(gainCol[half] + g);
                        // The reference's (jrow + 1) % 2 with 1-based jrow = row + 1.
                        int parity = row % 2;
                        cluster[2 * half + parity] = (float)(cluster[2 * half + parity] + g);
                        used[half]++;
                    }
                    else
                    {
                        if (present) substituted++;
                        if (settings.UseMeanWhenEmpty)
                        {
                            peds[row] = subPed;
                            gains[row] = subGain;
                            if (present) flag = DefaultPixels;
                        }
                        else
                        {
                            peds[row] = settings.BadPedestal;
                            gains[row] = settings.BadGain;
                            if (present) flag = DeadPixels;
                        }
                    }
                }

                for (int row = 0; row < Rows; row++)
                {
                    float p = peds[row], g = gains[row];
                    bool ok = InRange(p, g);
                    if (ok && present) written++;
                    if (full is not null)
                    {
                        fullBytes[f++] = ok ? fullEnc.EncodeGain(g) : GainEncoding.DeadFlag;
                        fullBytes[f++] = ok ? fullEnc.EncodePedestal(p) : GainEncoding.DeadFlag;
                    }
                    if (offline is not null) offlineBytes[off++] = ok ? offEnc.EncodePedestal(p) : GainEncoding.DeadFlag;

                    if ((row + 1) % Half != 0) continue;
                    int half = row < Half ? 0 : 1;
                    if (used[half] > 0)
                    {
                        float n = used[half];
                        pedCol[half] = (float)(pedCol[half] / n);
                        gainCol[half] = (float)(gainCol[half] / n);
                        cluster[2 * half] = (float)(cluster[2 * half] / (n / 2));
                        cluster[2 * half + 1] = (float)(cluster[2 * half + 1] / (n / 2));
                    }
                    if (!(gainCol[half] > gainLow && gainCol[half] < gainHigh && pedCol[half] > pedLow && pedCol[half] < pedHigh))
                    {
                        if (settings.UseMeanWhenEmpty)
                        {
                            pedCol[half] = subPed;
                            gainCol[half] = subGain;
                            if (present) flag = DefaultColumns;
                        }
                        else
                        {
                            pedCol[half] = settings.BadPedestal;
                            gainCol[half] = settings.BadGain;
                            if (present) flag = DeadColumns;
                        }
                    }
                    // Even/odd-row averages: only the bookkeeping changes, no byte (domain 13).
                    if (!(cluster[2 * half] > gainLow && cluster[2 * half] < gainHigh && cluster[2 * half + 1] > gainLow && cluster[2 * half + 1] < gainHigh)
                        && present)
                        flag = settings.UseMeanWhenEmpty ? DefaultColumns : DeadColumns;

                    bool colOk = gainCol[half] > gainLow && gainCol[half] < gainHigh && pedCol[half] > pedLow && pedCol[half] < pedHigh;
                    if (offline is not null) offlineBytes[off++] = colOk ? offEnc.EncodeGain(gainCol[half]) : GainEncoding.DeadFlag;
                    if (hlt is not null)
                    {
                        hltBytes[h++] = colOk ? hltEnc.EncodeGain(gainCol[half]) : GainEncoding.DeadFlag;
                        hltBytes[h++] = colOk ? hltEnc.EncodePedestal(pedCol[half]) : GainEncoding.DeadFlag;
                    }
                }
            }

            full?.Put(detId, fullBytes, Cols);
            offline?.Put(detId, offlineBytes, Cols);
            hlt?.Put(detId, hltBytes, Cols);
            if (flag != NoFlag) flags[flag]++;
            progress?.Report(++done);
        }

        var known = new HashSet<uint>(modules.Select(m => m.Raw));
        var summary = new UploaderSummary
        {
            MeanGain = meanGain,
            MeanPedestal = meanPed,
            Modules = modules.Count,
            Channels = (long)modules.Count * Pixels,
            ModulesMissing = missing,
            ModulesWithData = withData,
            UnknownModules = [.. input.Modules.Where(d => !known.Contains(d))],
            ModulesEmpty = flags[Empty],
            ModulesWithDefaultPixels = flags[DefaultPixels],
            ModulesWithDeadPixels = flags[DeadPixels],
            ModulesWithDefaultColumns = flags[DefaultColumns],
            ModulesWithDeadColumns = flags[DeadColumns],
            PixelsWithFit = withFit,
            PixelsWithoutFit = withoutFit,
            PixelsGood = good,
            PixelsGoodFit = goodFit,
            PixelsSubstituted = substituted,
            PixelsWritten = written,
        };
        return new PayloadBuild(payloads, summary);
    }

    /// <summary>
    /// The uploader's meanGainHist / meanPedHist means over every module of the input: pixels whose
    /// <em>gain</em> is &gt; 0 (the reference reads the gain histogram where it means the fit result);
    /// pedestals above pedmax skipped, gains ≤ 0.0001 or above gainmax skipped; the histogram ranges
    /// (pedestal −200..pedmax, gain 0..gainmax, upper edge excluded) drop the rest from ROOT's mean.
    /// </summary>
    internal static (float Gain, float Pedestal) GlobalMeans(PayloadInput input, UploaderSettings settings,
        float[] gain, float[] ped, sbyte[] status)
    {
        double sumGain = 0, sumPed = 0;
        long nGain = 0, nPed = 0;
        foreach (var detId in input.Modules)
        {
            input.FillModule(detId, gain, ped, status);
            for (int i = 0; i < Pixels; i++)
            {
                float g = gain[i];
                if (g <= 0) continue;
                float p = ped[i];
                if (!(p > settings.PedMax) && InHistogram(p, -200f, settings.PedMax)) { sumPed += p; nPed++; }
                if (!(g <= 0.0001 || g > settings.GainMax) && InHistogram(g, 0f, settings.GainMax)) { sumGain += g; nGain++; }
            }
        }
        return (nGain == 0 ? 0f : (float)(sumGain / nGain), nPed == 0 ? 0f : (float)(sumPed / nPed));
    }

    /// <summary>TAxis::FindBin: below the low edge is underflow, not below the high edge (NaN included) is overflow.</summary>
    private static bool InHistogram(float x, float low, float high) => !(x < low) && x < high;
}
