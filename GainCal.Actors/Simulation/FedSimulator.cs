using GainCal.Calibration;
using GainCal.Detector;
using GainCal.Dump;

namespace GainCal.Simulation;

/// <summary>
/// Writes a synthetic FED calibration dump in the real .dmp format: every trigger of the reference's
/// calibration sequence, each injected pixel answering with ADC = min(pedestal + Q / gain, plateau)
/// plus Gaussian noise, where Q is the injected charge in electrons as the fit computes it.
/// </summary>
public static class FedSimulator
{
    private const int GaussianTableSize = 1 << 16;

    public static FedTruth Write(string path, int fed, FedCalibrationSetup setup, SimulationOptions options)
    {
        var cabling = setup.Cabling.ForFed(fed);
        var rocCount = RocCount(fed, setup, options);
        var rng = new Xorshift((ulong)options.Seed * 0x9E3779B97F4A7C15UL ^ (ulong)fed);
        var truth = Plant(fed, rocCount, options, ref rng);
        for (var r = 0; r < rocCount; r++)
            if (cabling.Rocs[r].DetId is { IsBPix: true } module && options.LayerGainScale.TryGetValue(module.Layer, out var scale))
                foreach (ref var g in truth.Gain.AsSpan(r * FedTruth.PixelsPerRoc, FedTruth.PixelsPerRoc)) g = (float)(g * scale);
        var gaussian = GaussianTable(ref rng);
        var pattern = setup.Pattern;

        // Injected charge per ROC and VCal point, in the same electrons the fit uses.
        var charge = new double[rocCount, pattern.PointCount];
        for (var r = 0; r < rocCount; r++)
        {
            var vcal = setup.VCal.For(cabling.Rocs[r].DetId.Raw);
            for (var p = 0; p < pattern.PointCount; p++)
                charge[r, p] = pattern.VCalValues[p] * setup.Fit.VCalHighToLow * vcal.Slope + vcal.Offset;
        }

        // Faults draw from their own generator so that a faulty dump carries the same hits as the clean one.
        var faults = new Xorshift((ulong)options.Seed * 0xD1B54A32D192ED03UL ^ (ulong)fed);
        var missing = PickEvents(options.MissingEvents, pattern.ExpectedEvents, ref faults);
        var garbageAt = PickEvents(options.GarbageBursts, pattern.ExpectedEvents, ref faults);
        var words = new uint[1 + rocCount * pattern.MaxPixelsPerRoc];
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using (var writer = new DumpWriter(path, options.Run))
        {
            for (long e = 0; e < pattern.ExpectedEvents; e++)
            {
                if (garbageAt.Contains(e)) WriteGarbage(writer, ref faults);
                if (missing.Contains(e)) continue;
                var p = pattern.PatternOf(e);
                var point = pattern.VCalIndexOf(e);
                var n = 0;
                words[n++] = PixelWord.EncodeSpecial(cabling.Rocs[0].Link, RocField.Gap, (int)(e & 0xFF));
                var injected = pattern.PixelsInPattern(p);
                for (var r = 0; r < rocCount; r++)
                {
                    var roc = cabling.Rocs[r];
                    for (var slot = 0; slot < injected; slot++)
                    {
                        var (row, col) = pattern.PixelOfSlot(p, slot);
                        var i = FedTruth.IndexOf(r, row, col);
                        var kind = truth.Kind[i];
                        if (kind == PixelKind.Dead) continue;
                        if (kind == PixelKind.LowEfficiency && rng.NextDouble() >= options.LowEfficiency) continue;
                        var mean = Math.Min(truth.Pedestal[i] + charge[r, point] / truth.Gain[i], truth.Plateau[i]);
                        var adc = (int)Math.Round(mean + truth.Noise[i] * gaussian[rng.Next() & (GaussianTableSize - 1)]);
                        words[n++] = PixelWord.EncodeHit(roc.Link, roc.Roc, row, col, Math.Clamp(adc, 0, 255), roc.IsLayer1);
                    }
                }
                writer.WriteEvent((uint)(e + 1), fed, words.AsSpan(0, n));
            }
        }
        if (options.TruncateAt is { } fraction)
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Write);
            f.SetLength((long)(f.Length * Math.Clamp(fraction, 0, 1)));
        }
        return truth;
    }

    /// <summary>How many of the FED's ROCs (the first ones in link, ROC order) a simulation with these options plants.</summary>
    public static int RocCount(int fed, FedCalibrationSetup setup, SimulationOptions options)
    {
        var cabled = setup.Cabling.ForFed(fed).Rocs.Count;
        return Math.Min(options.RocsPerFed ?? cabled, cabled);
    }

    private static FedTruth Plant(int fed, int rocCount, SimulationOptions o, ref Xorshift rng)
    {
        var truth = new FedTruth(fed, rocCount);
        var deadRocs = o.DeadRocs.TryGetValue(fed, out var d) ? d.ToHashSet() : [];
        for (var i = 0; i < truth.Kind.Length; i++)
        {
            truth.Gain[i] = (float)Math.Max(40, o.GainMean + o.GainSpread * rng.NextGaussian());
            truth.Pedestal[i] = (float)(o.PedestalMean + o.PedestalSpread * rng.NextGaussian());
            truth.Plateau[i] = (float)(o.PlateauMin + (o.PlateauMax - o.PlateauMin) * rng.NextDouble());
            truth.Noise[i] = (float)o.HitNoise;
            var u = rng.NextDouble();
            truth.Kind[i] = deadRocs.Contains(i / FedTruth.PixelsPerRoc) ? PixelKind.Dead
                : u < o.DeadFraction ? PixelKind.Dead
                : u < o.DeadFraction + o.NoisyFraction ? PixelKind.Noisy
                : u < o.DeadFraction + o.NoisyFraction + o.LowEfficiencyFraction ? PixelKind.LowEfficiency
                : PixelKind.Normal;
            if (truth.Kind[i] == PixelKind.Noisy) truth.Noise[i] = 40;
        }
        return truth;
    }

    private static HashSet<long> PickEvents(int count, long events, ref Xorshift rng)
    {
        var picked = new HashSet<long>();
        while (picked.Count < Math.Min(count, events - 1)) picked.Add(1 + (long)(rng.NextDouble() * (events - 1)));
        return picked;
    }

    private static void WriteGarbage(DumpWriter writer, ref Xorshift rng)
    {
        var n = 1 + (int)(rng.Next() % 5);
        for (var k = 0; k < n; k++)
        {
            ulong w;
            do w = rng.Next(); while (SLinkWord.IsHeader(w));
            writer.WriteRawWord(w);
        }
    }

    private static float[] GaussianTable(ref Xorshift rng)
    {
        var t = new float[GaussianTableSize];
        for (var i = 0; i < t.Length; i++) t[i] = (float)rng.NextGaussian();
        return t;
    }
}

/// <summary>Small fast deterministic generator (xorshift64*), so a seed always gives the same dump.</summary>
internal struct Xorshift(ulong seed)
{
    private ulong _state = seed == 0 ? 0x2545F4914F6CDD1DUL : seed;

    public ulong Next()
    {
        _state ^= _state >> 12;
        _state ^= _state << 25;
        _state ^= _state >> 27;
        return _state * 0x2545F4914F6CDD1DUL;
    }

    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
