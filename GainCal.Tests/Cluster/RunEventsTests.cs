using GainCal.Results;
using GainCal.Cluster;
using MessagePack;

namespace GainCal.Tests.Cluster;

/// <summary>The journal's records are pinned byte for byte: a change of a wire message (or of anything else) that would
/// change what is stored fails here, and so do the old journals' records that must stay readable.</summary>
public class RunEventsTests
{
    static readonly RecordedStats Stats = new(4160, 4000, [-7, 0, 1], [10, 150, 4000],
        new RecordedMoments(4000, 61.5, 12.25, 40, 80.5), new RecordedMoments(4000, 30.5, 8.75, 10, 50));

    static readonly MergeOutcomeRecorded Merge = new(400001, true, "1200:ab;1201:cd", "/out/GainRun_400001/GainCalibration.parquet", "0f0e",
        [1200, 1201], [1202], [1300], 8320, "pixels: 8,320", null, 1767225600000);

    /// <summary>One value of every record the coordinator and the aggregator persist, with its bytes as MessagePack.</summary>
    public static TheoryData<string, string> Events() => new()
    {
        { "run-created", Hex(new RunCreated(400001, "/in", "/out/GainRun_400001", "vcal", "/in/vcal.db", true, [1200, 1201], [1300], 1767225600000,
            true, "/in/cabling.db", "SiPixelFedCablingMap_v1")) },
        { "run-submitted", Hex(new RunSubmitted(400001)) },
        { "feds-requested", Hex(new FedsRequested(400001, [1201], true)) },
        { "fed-placed", Hex(new FedPlaced(400001, 1200, 2, "127.0.0.1:4053")) },
        { "fed-outcome", Hex(new FedOutcomeRecorded(400001, 1200, 2, 1, true, "/out/fed/1200.parquet", "ab", 4160, 720, null, "127.0.0.1:4053", Stats)) },
        { "merge-outcome", Hex(Merge) },
        { "run-registry-snap", Hex(new RunRegistrySnapshot([new RecordedRun(new RunCreated(7, "/i", "/o", null, null, false, [1200], [], 1), true,
            [new RecordedFed(1200, (int)FedPhase.Done, 1, false, 1, null, "/o/fed/1200.parquet", "ab", 4160, Stats, "n", null, "n")], Merge)])) },
        { "run-aggregator-snap", Hex(new RunAggregatorSnapshot(Merge)) },
    };

    static string Hex<T>(T value) => Convert.ToHexStringLower(MessagePackSerializer.Serialize(value));

    // Updated deliberately (issues 12 and 13): RunCreated gained Reference (key 9), MergeOutcomeRecorded WarnedFeds (12) and
    // Drift (13); the bytes differ from the earlier ones only by the trailing nils of the new keys.
    static readonly Dictionary<string, string> Golden = new()
    {
        // Added deliberately: RunCreated keys 9 (realign events), 10-11 (the run's own cabling), 12 (drift reference);
        // FedOutcomeRecorded key 12 (read health); MergeOutcomeRecorded keys 12-13 (warned FEDs, drift).
        ["run-created"] = "9dce00061a81a32f696eb32f6f75742f4761696e52756e5f343030303031a47663616cab2f696e2f7663616c2e6462c392cd"
            + "04b0cd04b191cd0514cf0000019b76daa800c3ae2f696e2f6361626c696e672e6462b75369506978656c4665644361626c69"
            + "6e674d61705f7631c0",
        ["run-submitted"] = "91ce00061a81",
        ["feds-requested"] = "93ce00061a8191cd04b1c3",
        // Added deliberately (issue 9, placement follows free slots): FedPlaced, and RecordedFed key 12 (the placement).
        ["fed-placed"] = "94ce00061a81cd04b002ae3132372e302e302e313a34303533",
        ["fed-outcome"] = "9dce00061a81cd04b00201c3b52f6f75742f6665642f313230302e70617271756574a26162cd1040cd02d0c0ae313237"
            + "2e302e302e313a3430353397cd1040cd0fa093f90001930acc96cd0fa095cd0fa0cb404ec00000000000cb4028800000"
            + "000000cb4044000000000000cb405420000000000095cd0fa0cb403e800000000000cb4021800000000000cb40240000"
            + "00000000cb404900000000000000c0",
        ["merge-outcome"] = "9ece00061a81c3af313230303a61623b313230313a6364d92b2f6f75742f4761696e52756e5f3430303030312f4761696e43"
            + "616c6962726174696f6e2e70617271756574a43066306592cd04b0cd04b191cd04b291cd0514cd2080ad706978656c733a20"
            + "382c333230c0cf0000019b76daa800c0c0",
        ["run-registry-snap"] = "9191949d07a22f69a22f6fc0c0c291cd04b09001c2c0c0c0c3919dcd04b00401c201c0b32f6f2f6665642f313230302e7061"
            + "7271756574a26162cd104097cd1040cd0fa093f90001930acc96cd0fa095cd0fa0cb404ec00000000000cb40288000000000"
            + "00cb4044000000000000cb405420000000000095cd0fa0cb403e800000000000cb4021800000000000cb4024000000000000"
            + "cb404900000000000000a16ec0a16e9ece00061a81c3af313230303a61623b313230313a6364d92b2f6f75742f4761696e52756e"
            + "5f3430303030312f4761696e43616c6962726174696f6e2e70617271756574a43066306592cd04b0cd04b191cd04b291cd05"
            + "14cd2080ad706978656c733a20382c333230c0cf0000019b76daa800c0c0",
        ["run-aggregator-snap"] = "919ece00061a81c3af313230303a61623b313230313a6364d92b2f6f75742f4761696e52756e5f3430303030312f4761696e"
            + "43616c6962726174696f6e2e70617271756574a43066306592cd04b0cd04b191cd04b291cd0514cd2080ad706978656c733a"
            + "20382c333230c0cf0000019b76daa800c0c0",
    };

    [Theory]
    [MemberData(nameof(Events))]
    public void Every_persisted_record_keeps_its_bytes(string manifest, string hex)
    {
        Assert.True(GainCalSerializer.TypesByManifest.ContainsKey(manifest));
        Assert.Equal(Golden[manifest], hex);
    }

    /// <summary>Key 12 (the read health) came later: an outcome recorded before it reads back with no health, as done.</summary>
    [Fact]
    public void Outcomes_recorded_before_the_read_health_read_back_as_done()
    {
        var before = Convert.FromHexString(Golden["fed-outcome"].Replace("9dce00061a81", "9cce00061a81")[..^2]);
        var read = MessagePackSerializer.Deserialize<FedOutcomeRecorded>(before);
        Assert.Null(read.Health);
        Assert.Equal(FedPhase.Done, read.Phase);
        Assert.Equal(Golden["fed-outcome"], Hex(read));
    }

    [Fact]
    public void An_outcome_with_warnings_keeps_its_counts_and_is_done_with_warnings()
    {
        var health = new RecordedHealth(104400, 52148, true, 0, 52252, 0, 0, 0, 0, 0, 0, false, "link 3 timeout 12",
            ["/in/GainCalibration_1200_7.dmp: FED 1200: dump truncated"]);
        var recorded = new FedOutcomeRecorded(7, 1200, 1, 1, true, "/o/fed/1200.parquet", "ab", 4160, 52148, null, "n", Stats, health);
        var read = MessagePackSerializer.Deserialize<FedOutcomeRecorded>(MessagePackSerializer.Serialize(recorded));
        Assert.Equal(FedPhase.DoneWithWarnings, read.Phase);
        Assert.Equal((104400L, 52148L, 52252L, "link 3 timeout 12"), (read.Health!.EventsExpected, read.Health.EventsRead, read.Health.EventsMissing, read.Health.ErrorWords));
        Assert.Equal(health.Warnings, read.Health.Warnings);
        Assert.Equal(FedPhase.Done, (recorded with { Health = health with { Warnings = [] } }).Phase);
        Assert.Equal(FedPhase.Failed, (recorded with { Ok = false }).Phase);
    }

    /// <summary>RunCreated as stored before runs named their own cabling (keys 0-8).</summary>
    const string RunCreatedWithoutCabling = "99ce00061a81a32f696eb32f6f75742f4761696e52756e5f343030303031a47663616cab2f696e2f7663616c2e6462c3"
        + "92cd04b0cd04b191cd0514cf0000019b76daa800";

    [Fact]
    public void A_run_created_before_runs_named_their_cabling_reads_with_the_nodes_own()
    {
        var read = MessagePackSerializer.Deserialize<RunCreated>(Convert.FromHexString(RunCreatedWithoutCabling));
        Assert.Equal((400001u, "/in/vcal.db", 1767225600000L), (read.Run, read.VCalPath, read.CreatedUnixMs));
        Assert.Equal([1200, 1201], read.Feds);
        Assert.Null(read.CablingPath);
        Assert.Null(read.CablingTag);
        Assert.False(read.RealignEvents);
    }

    [Fact]
    public void A_merge_with_warned_feds_and_a_drift_check_reads_back_from_its_record_unchanged()
    {
        var drift = new DriftView(400000, "/out/GainRun_400000/GainCalibration.parquet", 2, 0.03, 2, 0.005,
            [new PartDriftView("L1", 1, 0.06, 0.1, double.NaN, true, false, false)],
            [new PartDriftView("BPix_BmO_SEC1_LYR1_LDR1F_MOD1", 1, 0.06, 0.1, 0, true, false, false)], 1, 0, 0, ["L1: gain +6.0 % since run 400000"], null);
        var merged = Merge.ToMessage() with { WarnedFeds = [1201], Drift = drift };
        var back = MessagePackSerializer.Deserialize<MergeOutcomeRecorded>(MessagePackSerializer.Serialize(MergeOutcomeRecorded.From(merged))).ToMessage();
        Assert.Equal([1201], back.WarnedFeds!);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(drift, StatusText.Json), System.Text.Json.JsonSerializer.Serialize(back.Drift, StatusText.Json));
    }

    [Fact]
    public void The_persisted_records_are_no_wire_messages()
    {
        var persisted = new[] { typeof(RunCreated), typeof(RunSubmitted), typeof(FedsRequested), typeof(FedOutcomeRecorded),
            typeof(MergeOutcomeRecorded), typeof(RunRegistrySnapshot), typeof(RunAggregatorSnapshot), typeof(RecordedStats), typeof(RecordedMoments),
            typeof(RecordedRun), typeof(RecordedFed), typeof(RecordedHealth), typeof(RecordedDrift), typeof(RecordedPartDrift) };
        var wire = new[] { typeof(FedEnded), typeof(RunMerged), typeof(PixelStats), typeof(Moments), typeof(FedProgress), typeof(CreateRun),
            typeof(FedHealth), typeof(DriftView), typeof(PartDriftView) };
        foreach (var t in persisted)
        foreach (var p in t.GetProperties())
            Assert.DoesNotContain(Unwrap(p.PropertyType), wire);
    }

    static Type Unwrap(Type t) => t.IsArray ? t.GetElementType()! : Nullable.GetUnderlyingType(t) ?? t;

    [Fact]
    public void Records_of_old_journals_are_read_into_the_new_events()
    {
        // What earlier releases stored: the wire messages FedEnded and RunMerged, inside a wrapper or as themselves.
        var stats = new PixelStats(4160, 4000, [-7, 0, 1], [10, 150, 4000], new Moments(4000, 61.5, 12.25, 40, 80.5), new Moments(4000, 30.5, 8.75, 10, 50));
        var ended = new FedEnded(400001, 1200, 2, 1, true, "/out/fed/1200.parquet", "ab", 4160, 720, null, "127.0.0.1:4053", false, stats);
        var oldFedEnd = MessagePackSerializer.Serialize(new object[] { ended });
        var read = MessagePackSerializer.Deserialize<LegacyFedEndRecorded>(oldFedEnd).ToEvent();
        Assert.Equal(Hex(new FedOutcomeRecorded(400001, 1200, 2, 1, true, "/out/fed/1200.parquet", "ab", 4160, 720, null, "127.0.0.1:4053", Stats)),
            Hex(read));

        var merged = Merge.ToMessage();
        Assert.Equal(Hex(Merge), Hex(MessagePackSerializer.Deserialize<LegacyRunMerged>(MessagePackSerializer.Serialize(merged)).ToEvent()));
        Assert.Equal(Hex(Merge), Hex(MessagePackSerializer.Deserialize<LegacyMergeRecorded>(MessagePackSerializer.Serialize(new object[] { merged })).Merge));
    }
}
