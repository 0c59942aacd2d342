namespace GainCal.Simulation;

/// <summary>What a simulated FED looks like: detector response spread, planted bad pixels and injected faults.</summary>
public sealed record SimulationOptions
{
    public uint Run { get; init; } = 1;
    public int Seed { get; init; } = 1;

    /// <summary>Simulate only the first N ROCs of each FED (in link, ROC order); null = every link and ROC of the real FED.</summary>
    public int? RocsPerFed { get; init; }

    public double GainMean { get; init; } = 150;
    public double GainSpread { get; init; } = 20;
    public double PedestalMean { get; init; } = 25;
    public double PedestalSpread { get; init; } = 12;
    public double PlateauMin { get; init; } = 170;
    public double PlateauMax { get; init; } = 235;
    /// <summary>Planted gain of the pixels of BPix layer N times this factor (a drift between runs: 1 = +1.06 makes
    /// layer 1's gain 6 % higher, the other pixels unchanged, every random draw the same).</summary>
    public IReadOnlyDictionary<int, double> LayerGainScale { get; init; } = new Dictionary<int, double>();
    /// <summary>Gaussian noise of one hit, in ADC counts.</summary>
    public double HitNoise { get; init; } = 1.2;

    public double DeadFraction { get; init; } = 0.002;
    public double NoisyFraction { get; init; } = 0.001;
    public double LowEfficiencyFraction { get; init; } = 0.002;
    /// <summary>Probability that a low-efficiency pixel answers a trigger.</summary>
    public double LowEfficiency { get; init; } = 0.2;
    /// <summary>FED-local ROC indices of whole dead ROCs, per FED.</summary>
    public IReadOnlyDictionary<int, IReadOnlyList<int>> DeadRocs { get; init; } = new Dictionary<int, IReadOnlyList<int>>();

    /// <summary>Bursts of garbage words written between events (the reader must resynchronise).</summary>
    public int GarbageBursts { get; init; }
    /// <summary>Events left out of the file (an L1ID gap; the reference shifts every later event).</summary>
    public int MissingEvents { get; init; }
    /// <summary>Cut the file at this fraction of its length (mid-fragment truncation); null = whole file.</summary>
    public double? TruncateAt { get; init; }
}
