using System.Net;
using Microsoft.Extensions.Configuration;

namespace GainCal.Cluster;

/// <summary>Everything a node is configured with. Sources, later ones winning: appsettings.json,
/// GAINCAL_* environment variables (prefix stripped: GAINCAL_PORT -> Port), the command line
/// (--port 4053, or the dashed aliases of <see cref="CommandLineAliases"/>).</summary>
public sealed record NodeSettings
{
    public string SystemName { get; init; } = "gaincal";
    /// <summary>Address remoting binds to; also advertised unless PublicHost is set.</summary>
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 4053;
    public string? PublicHost { get; init; }
    /// <summary>"host:port" of the seed nodes; empty = this node is its own seed (a one-node cluster).</summary>
    public IReadOnlyList<string> Seeds { get; init; } = [];
    /// <summary>"worker" runs FEDs, the run coordinator and the aggregators; a node without it only routes (a light third member).</summary>
    public IReadOnlyList<string> Roles { get; init; } = [WorkerRole];
    public string DataDir { get; init; } = "data";
    /// <summary>"sqlite" (default: files in DataDir, shared by the nodes of one host) or "postgresql".</summary>
    public string Persistence { get; init; } = "sqlite";
    /// <summary>Required for postgresql; for sqlite it overrides the default journal file.</summary>
    public string? ConnectionString { get; init; }
    /// <summary>Directories under which every path named in a command must lie; empty = DataDir only.</summary>
    public IReadOnlyList<string> AllowedRoots { get; init; } = [];
    public string CommandHost { get; init; } = "127.0.0.1";
    public int CommandPort { get; init; } = 9110;
    /// <summary>Shared secret clients must prove they know; required when CommandHost is not a loopback address.</summary>
    public string? CommandSecret { get; init; }
    /// <summary>The node's certificate and key (PKCS#12, deploy/tls/make-certs.sh) for mutual TLS between nodes; required
    /// when remoting is bound or advertised beyond loopback.</summary>
    public string? TlsCertificate { get; init; }
    /// <summary>Password of <see cref="TlsCertificate"/> (keep it off the command line: GAINCAL_TLSCERTIFICATEPASSWORD).</summary>
    public string? TlsCertificatePassword { get; init; }
    /// <summary>The certificate authority (PEM) whose certificates, and only those, this node accepts from peers.</summary>
    public string? TlsCa { get; init; }
    /// <summary>Mutual TLS also on loopback (tests, or a host whose other users are not trusted).</summary>
    public bool Tls { get; init; }
    /// <summary>Refuse to start when the journal does not exist (a node that has run before: a lost journal must not
    /// silently become an empty one).</summary>
    public bool JournalMustExist { get; init; }
    /// <summary>0 = no HTTP endpoint.</summary>
    public int HttpPort { get; init; }
    public int MaxFeds { get; init; } = Math.Max(1, Environment.ProcessorCount);
    public int FitWorkers { get; init; } = Math.Max(1, Environment.ProcessorCount);
    /// <summary>Decoders per FED (each reads the whole dump and decodes every n-th pattern); 0: one per two cores, 1 to 4.</summary>
    public int Decoders { get; init; }
    /// <summary>Decoded patterns of one FED not yet in its table (bounds memory).</summary>
    public int PatternsInFlight { get; init; } = Math.Max(2, 2 * Environment.ProcessorCount);
    /// <summary>Per FED, the average rate (MB/s) at which its dump is read; 0 = no limit. Spares shared storage
    /// (EOS) when many FEDs read at once.</summary>
    public double ReadLimitMBPerSecond { get; init; }
    /// <summary>Split-brain resolver stable-after (s). See the HOCON comment in GainCalHosting for why it is short.</summary>
    public double StableAfterSeconds { get; init; } = 4;
    public double DownRemovalMarginSeconds { get; init; } = 1;
    /// <summary>Akka's own log level (DEBUG, INFO, WARNING, ERROR); `gaincal demo` keeps it quiet.</summary>
    public string LogLevel { get; init; } = "INFO";
    /// <summary>The detector's cabling for every FED this node calibrates: a SiPixelFedCablingMap conditions file or a
    /// text cabling file (docs/geometry.md); null = the synthetic map.</summary>
    public string? Cabling { get; init; }
    /// <summary>Tag of <see cref="Cabling"/> when the conditions file holds several.</summary>
    public string? CablingTag { get; init; }
    /// <summary>What makes a FED end done-with-warnings (keys WarnMissingEvents, WarnDuplicates, WarnResyncs,
    /// WarnDamagedFragments, WarnInvalidFraction, WarnOffPatternFraction, WarnUncabledFraction, WarnErrorWordsPerEvent,
    /// WarnLinkMisfitFraction; docs/operations.md).</summary>
    public Results.FedWarningLimits Warnings { get; init; } = Results.FedWarningLimits.Default;

    /// <summary>How far a merged run may move from its reference calibration before `status`, the summary and /metrics
    /// list the layer, disk/ring or module: relative mean gain, mean pedestal (ADC), bad-fit fraction (absolute).</summary>
    public double DriftGain { get; init; } = GainCal.Reports.DriftThresholds.Default.Gain;
    public double DriftPedestal { get; init; } = GainCal.Reports.DriftThresholds.Default.Pedestal;
    public double DriftBadFits { get; init; } = GainCal.Reports.DriftThresholds.Default.BadFitFraction;
    public GainCal.Reports.DriftThresholds DriftThresholds => new(DriftGain, DriftPedestal, DriftBadFits);

    public const string WorkerRole = "worker";
    /// <summary>Shorter shared secrets are refused: 16 characters of `openssl rand -hex` are 64 bits.</summary>
    public const int MinSecretLength = 16;

    /// <summary>Remoting reachable from other hosts: bound or advertised on an address that is not loopback.</summary>
    public bool RemotingBeyondLoopback =>
        new[] { Host, AdvertisedHost }.Any(h => h != "localhost" && !(IPAddress.TryParse(h, out var a) && IPAddress.IsLoopback(a)));

    /// <summary>Mutual TLS between nodes: forced, configured, or required because remoting leaves loopback.</summary>
    public bool UsesTls => Tls || !string.IsNullOrEmpty(TlsCertificate) || RemotingBeyondLoopback;

    /// <summary>Null when the remoting's TLS settings are usable; otherwise the one-line reason.</summary>
    public string? TlsProblem()
    {
        if (!UsesTls) return null;
        var why = RemotingBeyondLoopback ? $"remoting {Host}:{Port} (advertised {AdvertisedHost}) is beyond loopback" : "Tls is on";
        if (string.IsNullOrEmpty(TlsCertificate) || string.IsNullOrEmpty(TlsCa))
            return $"{why}: set TlsCertificate (this node's PKCS#12 file) and TlsCa (the cluster's certificate authority), " +
                   "made by deploy/tls/make-certs.sh; nodes then accept only peers with a certificate of that authority";
        foreach (var (key, path) in new[] { ("TlsCertificate", TlsCertificate), ("TlsCa", TlsCa) })
            if (!File.Exists(path)) return $"configuration {key}: {path} does not exist";
        return null;
    }

    /// <summary>Null when the command host's secret settings are usable; otherwise the one-line reason.</summary>
    public string? CommandSecretProblem()
    {
        if (!string.IsNullOrEmpty(CommandSecret) && CommandSecret.Length < MinSecretLength)
            return $"configuration CommandSecret: {CommandSecret.Length} characters, at least {MinSecretLength} are required " +
                   "(e.g. the output of: openssl rand -hex 24)";
        if (CommandPort == 0) return null;
        if (!IPAddress.TryParse(CommandHost, out var address))
            return $"configuration CommandHost: '{CommandHost}' is not an IP address";
        return IPAddress.IsLoopback(address) || !string.IsNullOrEmpty(CommandSecret)
            ? null
            : $"command host {CommandHost}:{CommandPort} is beyond loopback: set CommandSecret (appsettings.json or " +
              $"{Operations.CommandHostClient.SecretVariable}) so that only operators who know it can send commands";
    }
    public bool IsWorker => Roles.Contains(WorkerRole);
    public string AdvertisedHost => PublicHost ?? Host;

    public IReadOnlyList<string> EffectiveAllowedRoots =>
        (AllowedRoots.Count > 0 ? AllowedRoots : [DataDir])
            .Select(r => GainCal.Storage.XRootDUrl.IsXRootD(r) ? GainCal.Storage.XRootDUrl.Parse(r).ToString() : Path.GetFullPath(r)).ToArray();

    public static readonly IReadOnlyDictionary<string, string> CommandLineAliases = new Dictionary<string, string>
    {
        ["--host"] = "Host", ["--port"] = "Port", ["--public-host"] = "PublicHost", ["--seeds"] = "Seeds",
        ["--roles"] = "Roles", ["--data-dir"] = "DataDir", ["--persistence"] = "Persistence",
        ["--connection-string"] = "ConnectionString", ["--allowed-roots"] = "AllowedRoots",
        ["--command-host"] = "CommandHost", ["--command-port"] = "CommandPort", ["--http-port"] = "HttpPort",
        ["--max-feds"] = "MaxFeds", ["--fit-workers"] = "FitWorkers", ["--decoders"] = "Decoders", ["--patterns-in-flight"] = "PatternsInFlight",
        ["--read-limit"] = "ReadLimitMBPerSecond", ["--journal-must-exist"] = "JournalMustExist",
        ["--tls"] = "Tls", ["--tls-certificate"] = "TlsCertificate", ["--tls-ca"] = "TlsCa",
        ["--stable-after"] = "StableAfterSeconds", ["--system-name"] = "SystemName", ["--log-level"] = "LogLevel",
        ["--cabling"] = "Cabling", ["--cabling-tag"] = "CablingTag",
        ["--drift-gain"] = "DriftGain", ["--drift-pedestal"] = "DriftPedestal", ["--drift-bad-fits"] = "DriftBadFits",
    };

    /// <summary>appsettings.json (beside the executable, then the working directory), GAINCAL_ variables, command line.</summary>
    public static IConfiguration BuildConfiguration(string[] args) =>
        new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
            .AddEnvironmentVariables("GAINCAL_")
            .AddCommandLine(Flags(args), CommandLineAliases.ToDictionary())
            .Build();

    /// <summary>Reads the flat keys above (lists: comma-separated strings or JSON arrays); malformed numbers fail with the key named.</summary>
    public static NodeSettings From(IConfiguration c)
    {
        var d = new NodeSettings();
        var s = new NodeSettings
        {
            SystemName = c["SystemName"] ?? d.SystemName,
            Host = c["Host"] ?? d.Host,
            Port = Int(c, "Port", d.Port),
            PublicHost = c["PublicHost"] ?? d.PublicHost,
            Seeds = List(c, "Seeds") ?? d.Seeds,
            Roles = List(c, "Roles") ?? d.Roles,
            DataDir = c["DataDir"] ?? d.DataDir,
            Persistence = (c["Persistence"] ?? d.Persistence).ToLowerInvariant() switch
            {
                "sqlite" => "sqlite",
                "postgresql" or "postgres" => "postgresql",
                var p => throw new ArgumentException($"configuration Persistence: '{p}' is neither sqlite nor postgresql"),
            },
            ConnectionString = c["ConnectionString"] ?? d.ConnectionString,
            AllowedRoots = List(c, "AllowedRoots") ?? d.AllowedRoots,
            CommandHost = c["CommandHost"] ?? d.CommandHost,
            CommandPort = Int(c, "CommandPort", d.CommandPort),
            CommandSecret = c["CommandSecret"] ?? d.CommandSecret,
            HttpPort = Int(c, "HttpPort", d.HttpPort),
            JournalMustExist = Bool(c, "JournalMustExist", d.JournalMustExist),
            Tls = Bool(c, "Tls", d.Tls),
            TlsCertificate = c["TlsCertificate"] ?? d.TlsCertificate,
            TlsCertificatePassword = c["TlsCertificatePassword"] ?? d.TlsCertificatePassword,
            TlsCa = c["TlsCa"] ?? d.TlsCa,
            MaxFeds = Math.Max(1, Int(c, "MaxFeds", d.MaxFeds)),
            FitWorkers = Math.Max(1, Int(c, "FitWorkers", d.FitWorkers)),
            Decoders = Math.Max(0, Int(c, "Decoders", d.Decoders)),
            PatternsInFlight = Math.Max(1, Int(c, "PatternsInFlight", d.PatternsInFlight)),
            ReadLimitMBPerSecond = Double(c, "ReadLimitMBPerSecond", d.ReadLimitMBPerSecond) is var limit && limit >= 0
                ? limit
                : throw new ArgumentException($"configuration ReadLimitMBPerSecond: {c["ReadLimitMBPerSecond"]} is negative (0 = no limit)"),
            StableAfterSeconds = Double(c, "StableAfterSeconds", d.StableAfterSeconds),
            Cabling = c["Cabling"] ?? d.Cabling,
            CablingTag = c["CablingTag"] ?? d.CablingTag,
            DownRemovalMarginSeconds = Double(c, "DownRemovalMarginSeconds", d.DownRemovalMarginSeconds),
            DriftGain = Positive(c, "DriftGain", d.DriftGain),
            DriftPedestal = Positive(c, "DriftPedestal", d.DriftPedestal),
            DriftBadFits = Positive(c, "DriftBadFits", d.DriftBadFits),
            LogLevel = (c["LogLevel"] ?? d.LogLevel).ToUpperInvariant() is var level && level is "DEBUG" or "INFO" or "WARNING" or "ERROR" or "OFF"
                ? level
                : throw new ArgumentException($"configuration LogLevel: '{c["LogLevel"]}' is not DEBUG, INFO, WARNING, ERROR or OFF"),
        };
        s = s with { Warnings = WarningLimits(c, d.Warnings) };
        return (s.CommandSecretProblem() ?? s.TlsProblem()) is { } problem ? throw new ArgumentException(problem) : s;
    }

    static Results.FedWarningLimits WarningLimits(IConfiguration c, Results.FedWarningLimits d)
    {
        var limits = new Results.FedWarningLimits
        {
            MissingEvents = Int(c, "WarnMissingEvents", (int)d.MissingEvents),
            Duplicates = Int(c, "WarnDuplicates", (int)d.Duplicates),
            Resyncs = Int(c, "WarnResyncs", (int)d.Resyncs),
            DamagedFragments = Int(c, "WarnDamagedFragments", (int)d.DamagedFragments),
            InvalidAddressFraction = Double(c, "WarnInvalidFraction", d.InvalidAddressFraction),
            OffPatternFraction = Double(c, "WarnOffPatternFraction", d.OffPatternFraction),
            UncabledFraction = Double(c, "WarnUncabledFraction", d.UncabledFraction),
            ErrorWordsPerEvent = Double(c, "WarnErrorWordsPerEvent", d.ErrorWordsPerEvent),
            LinkMisfitFraction = Double(c, "WarnLinkMisfitFraction", d.LinkMisfitFraction),
        };
        return limits.Problem() is { } problem ? throw new ArgumentException($"configuration Warn*: {problem}") : limits;
    }

    /// <summary>These settings, or an <see cref="ArgumentException"/> saying why a node must not start with them:
    /// a SQLite journal is a file that only the nodes of one host can share, so a node whose seeds live on other
    /// hosts (addresses that are neither loopback nor its own Host/PublicHost) needs PostgreSQL.</summary>
    public NodeSettings Validated()
    {
        if (Persistence != "sqlite") return this;
        var remote = Seeds.FirstOrDefault(seed => IsOnAnotherHost(SeedHost(seed)));
        if (remote is not null)
            throw new ArgumentException(
                $"configuration Seeds: {remote} is on another host, but the journal is SQLite, a file the nodes of other hosts cannot share; " +
                "nodes on several hosts need --persistence postgresql --connection-string \"Host=...\" (docs/cluster.md, multi-host)");
        return this;
    }

    private bool IsOnAnotherHost(string host)
    {
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || host.Equals(Host, StringComparison.OrdinalIgnoreCase)
            || host.Equals(PublicHost, StringComparison.OrdinalIgnoreCase)) return false;
        return !System.Net.IPAddress.TryParse(host, out var address) || !System.Net.IPAddress.IsLoopback(address);
    }

    /// <summary>"host:port", "[v6]:port" or a bare host.</summary>
    private static string SeedHost(string seed)
    {
        if (seed.StartsWith('[')) return seed[1..Math.Max(1, seed.IndexOf(']'))];
        var colon = seed.LastIndexOf(':');
        return colon > 0 && seed.IndexOf(':') == colon ? seed[..colon] : seed;
    }

    /// <summary>Switches that stand alone on the command line (no value) mean true.</summary>
    static readonly string[] Switches = ["--journal-must-exist", "--tls"];

    static string[] Flags(string[] args) =>
        args.Select((a, i) => Switches.Contains(a) && (i + 1 == args.Length || args[i + 1].StartsWith('-')) ? a + "=true" : a).ToArray();

    static bool Bool(IConfiguration c, string key, bool fallback) =>
        c[key] is { } s ? bool.TryParse(s, out var v) ? v : throw new ArgumentException($"configuration {key}: '{s}' is neither true nor false") : fallback;

    static int Int(IConfiguration c, string key, int fallback) =>
        c[key] is { } s ? int.TryParse(s, out var v) ? v : throw new ArgumentException($"configuration {key}: '{s}' is not an integer") : fallback;

    static double Double(IConfiguration c, string key, double fallback) =>
        c[key] is { } s
            ? double.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : throw new ArgumentException($"configuration {key}: '{s}' is not a number")
            : fallback;

    static double Positive(IConfiguration c, string key, double fallback) =>
        Double(c, key, fallback) is var v && v > 0 ? v : throw new ArgumentException($"configuration {key}: {c[key]} is not a positive number");

    static IReadOnlyList<string>? List(IConfiguration c, string key)
    {
        var section = c.GetSection(key);
        var children = section.GetChildren().Select(x => x.Value).OfType<string>().ToArray();
        if (children.Length > 0) return children;
        return section.Value?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
