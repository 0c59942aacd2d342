using GainCal.Cluster;

namespace GainCal.Tests.Cluster;

/// <summary>The coordinator's rules without Akka: commands decide events, events (or a snapshot) build the state.</summary>
public class RunRegistryTests
{
    static readonly DateTime T0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    static CreateRun Request(uint run, params int[] feds) =>
        new(run, $"/data/in/{run}", $"/data/out/GainRun_{run}", null, null, false, feds, []);

    /// <summary>Applies a command's event as the actor does once it is stored.</summary>
    static TEvent Record<TEvent>(RunRegistry registry, Decision<TEvent> decision, List<object>? journal = null) where TEvent : class
    {
        Assert.Null(decision.Answer);
        var e = decision.Event!;
        registry.Apply(e);
        journal?.Add(e);
        return e;
    }

    static Dictionary<string, int> Nodes(params (string Node, int Slots)[] nodes) => nodes.ToDictionary(n => n.Node, n => n.Slots);

    /// <summary>The starts due on one node with <paramref name="slots"/> slots, their placements recorded as the actor does.</summary>
    static List<StartFed> Starts(RunRegistry r, DateTime now, bool includeSilent, int slots = 10) =>
        Send(r, r.Due(Nodes(("n1", slots)), now, includeSilent));

    static List<StartFed> Send(RunRegistry r, IReadOnlyList<FedDispatch> due, List<object>? journal = null)
    {
        foreach (var placed in due.Select(d => d.Placement).OfType<FedPlaced>())
        {
            r.Apply(placed);
            journal?.Add(placed);
        }
        return due.Select(d => d.Start).ToList();
    }

    static FedEnded End(uint run, int fed, int generation, bool ok) =>
        new(run, fed, generation, 1, ok, ok ? $"/out/{fed}.parquet" : null, ok ? $"sum{fed}" : null, ok ? 4160 : 0, 10, ok ? null : "bad dump",
            "n1", false, ok ? new PixelStatsBuilder().Build(4160) : null);

    [Fact]
    public void Create_records_once_and_refuses_other_settings_for_the_same_run()
    {
        var r = new RunRegistry();
        var created = Record(r, r.Create(Request(7, 1200, 1201), 5));
        Assert.Equal([1200, 1201], created.Feds);
        Assert.Equal(5, created.CreatedUnixMs);

        var again = r.Create(Request(7, 1200, 1201), 6);
        Assert.Null(again.Event);
        Assert.True(again.Answer!.Ok);
        Assert.Contains("already created with these settings", again.Answer.Lines[0]);

        var other = r.Create(Request(7, 1200), 6);
        Assert.False(other.Answer!.Ok);
        Assert.Contains("already exists with other settings", other.Answer.Lines[0]);
        Assert.False(r.Create(Request(0, 1200), 6).Answer!.Ok);
    }

    [Fact]
    public void Submit_and_resubmit_validate_and_only_failed_or_forced_feds_run_again()
    {
        var r = new RunRegistry();
        Assert.False(r.Submit(9).Answer!.Ok);
        Record(r, r.Create(Request(9, 1200, 1201, 1202), 0));
        Assert.Contains("has not been submitted", r.Resubmit(new ResubmitRun(9, [], false), out _).Answer!.Lines[0]);
        Record(r, r.Submit(9));
        Assert.Contains("already submitted", r.Submit(9).Answer!.Lines[0]);
        Assert.True(r.Submit(9).Answer!.NothingDone);

        Assert.Equal(3, Starts(r, T0, includeSilent: false).Count);
        r.Apply(r.Ended(End(9, 1200, 1, ok: true))!);
        r.Apply(r.Ended(End(9, 1201, 1, ok: false))!);
        Assert.Null(r.Ended(End(9, 1201, 1, ok: false)));   // a repeated end records nothing

        Assert.Contains("FED 1203 not in run 9", r.Resubmit(new ResubmitRun(9, [1203], false), out _).Answer!.Lines[0]);
        var failed = Record(r, r.Resubmit(new ResubmitRun(9, [], false), out var notes));
        Assert.Equal([1201], failed.Feds);
        Assert.Empty(notes);
        var forced = r.Resubmit(new ResubmitRun(9, [-1], false), out notes);
        Assert.Null(forced.Event);   // 1200 done without --force, 1201 and 1202 still active
        Assert.Contains("FED 1200 is done; not rerun (--force recomputes it)", forced.Answer!.Lines);
        Assert.True(forced.Answer.NothingDone);

        var due = Starts(r, T0, includeSilent: false);
        Assert.Equal([(1201, 2)], due.Select(s => (s.Fed, s.Generation)));
        // An end of an older generation is not news.
        Assert.Null(r.Ended(End(9, 1201, 1, ok: true)));
    }

    [Fact]
    public void Due_starts_feds_only_in_free_slots_and_restarts_the_silent_where_they_were_placed()
    {
        var r = new RunRegistry();
        Record(r, r.Create(Request(3, 1200, 1201, 1202, 1203, 1204), 0));
        Record(r, r.Submit(3));
        Assert.Equal([1200, 1201], Starts(r, T0, false, slots: 2).Select(s => s.Fed));
        Assert.Empty(Starts(r, T0, false, slots: 2));
        r.Progressed(new FedProgress(3, 1200, 1, 1, "n1", false, 1, 2, 3, 4, 5, 6), T0);
        Assert.Empty(Starts(r, T0 + TimeSpan.FromSeconds(5), true, slots: 2));
        // 1201 was never heard from: after the silence it is started again, 1200 (heard at T0) too, on the node they were placed on.
        var again = r.Due(Nodes(("n1", 2)), T0 + RunRegistry.Silence + TimeSpan.FromSeconds(1), true);
        Assert.Equal([(1200, "n1"), (1201, "n1")], again.Select(d => (d.Start.Fed, d.Start.Node)));
        Assert.All(again, d => Assert.Null(d.Placement));
        var view = r.View(3, "me")!;
        Assert.Equal(FedPhase.Running, view.Feds[0].Phase);
        Assert.Equal(6, view.Feds[0].PatternsFitted);
        Assert.Equal(5, view.Feds[0].PixelsFitted);
    }

    [Fact]
    public void A_merge_request_carries_the_runs_own_cabling()
    {
        var r = new RunRegistry();
        Record(r, r.Create(Request(9, 1200, 1201) with { CablingPath = "/data/in/cabling.db", CablingTag = "tag1" }, 0));
        Record(r, r.Submit(9));
        r.Apply(r.Ended(End(9, 1200, 1, ok: true))!);
        r.Apply(r.Ended(End(9, 1201, 1, ok: false))!);
        var merge = Assert.Single(r.MergesDue(T0));
        Assert.Equal(("/data/in/cabling.db", "tag1"), (merge.CablingPath, merge.CablingTag));
    }

    [Fact]
    public void Merge_is_due_once_every_fed_ended_and_not_again_once_recorded()
    {
        var r = new RunRegistry();
        Record(r, r.Create(Request(4, 1200, 1201), 0));
        Record(r, r.Submit(4));
        r.Apply(r.Ended(End(4, 1200, 1, ok: true))!);
        Assert.Empty(r.MergesDue(T0));
        Assert.False(r.Plan(4).Request is not null);
        r.Apply(r.Ended(End(4, 1201, 1, ok: false))!);
        var merge = Assert.Single(r.MergesDue(T0));
        Assert.Equal([1201], merge.FailedFeds);
        Assert.Empty(r.MergesDue(T0 + TimeSpan.FromSeconds(1)));   // asked already; again only after the retry time
        Assert.Single(r.MergesDue(T0 + TimeSpan.FromMinutes(1)));
        var done = new RunMerged(4, true, merge.InputKey, "/out/m.parquet", "c", [1200], [1201], [], 4160, "s", null, 1);
        r.Apply(r.Merged(done)!);
        Assert.Null(r.Merged(done));
        Assert.Empty(r.MergesDue(T0 + TimeSpan.FromMinutes(5)));
        Assert.True(r.View(4, "me")!.MergeCurrent);
    }

    [Fact]
    public void A_merge_names_its_warned_failed_and_missing_feds_and_the_status_marks_the_merged_run_partial()
    {
        var stats = RecordedStats.From(new PixelStatsBuilder().Build(4160));
        RecordedFed Fed(int fed, FedPhase phase) => new(fed, (int)phase, 1, false, 1, phase == FedPhase.Failed ? "bad dump" : null,
            phase == FedPhase.Failed ? null : $"/out/{fed}.parquet", phase == FedPhase.Failed ? null : $"sum{fed}", 4160,
            phase == FedPhase.Failed ? null : stats, "n1");
        var spec = new RunCreated(9, "/in", "/out", null, null, false, [1200, 1201, 1202], [1296], 0);
        var r = RunRegistry.FromSnapshot(new RunRegistrySnapshot([new RecordedRun(spec, true,
            [Fed(1200, FedPhase.Done), Fed(1201, FedPhase.DoneWithWarnings), Fed(1202, FedPhase.Failed)], null)]));

        var merge = Assert.Single(r.MergesDue(T0));
        Assert.Equal([1200, 1201], merge.Results.Select(x => x.Fed));
        Assert.Equal([1202], merge.FailedFeds);
        Assert.Equal([1201], merge.WarnedFeds!);
        Assert.Equal([1296], merge.MissingFeds);
        Assert.False(r.View(9, "n")!.Partial);   // nothing merged yet

        var c = merge.Completeness;
        r.Apply(r.Merged(new RunMerged(9, true, merge.InputKey, "/out/m.parquet", "c", c.Merged, c.Failed, c.Missing, 8320, "s", null, 1, c.Warned))!);
        var view = r.View(9, "n")!;
        Assert.True(view.Partial);
        var lines = StatusText.Render(view).ToList();
        Assert.Contains("partial run: 1 FED failed, 1 with warnings, 1 without a dump (2 of 4 FEDs merged)", lines);
        Assert.Contains("  FEDs merged with warnings (dump not read whole and clean): 1201", lines);
        using var json = System.Text.Json.JsonDocument.Parse(StatusText.ToJson(view));
        Assert.True(json.RootElement.GetProperty("partial").GetBoolean());
        Assert.Equal(1201, json.RootElement.GetProperty("merge").GetProperty("warnedFeds")[0].GetInt32());
        // Recorded and read back from the journal's bytes, as a recovery reads it.
        var stored = MessagePack.MessagePackSerializer.Deserialize<MergeOutcomeRecorded>(
            MessagePack.MessagePackSerializer.Serialize(MergeOutcomeRecorded.From(view.Merge!)));
        Assert.Equal([1201], stored.ToMessage().Completeness.Warned);
    }

    [Fact]
    public void A_finished_FED_shows_its_events_good_fits_and_running_time()
    {
        var r = new RunRegistry();
        Record(r, r.Create(Request(6, 1200, 1201), 0));
        Record(r, r.Submit(6));
        r.Progressed(new FedProgress(6, 1200, 1, 1, "n1", true, 0, 0, 0, 0, 0), T0);   // queued: not yet running
        r.Progressed(new FedProgress(6, 1200, 1, 1, "n1", false, 10, 100, 5, 1, 0), T0 + TimeSpan.FromSeconds(2));
        r.Progressed(new FedProgress(6, 1200, 1, 1, "n1", false, 90, 100, 9, 3, 2000), T0 + TimeSpan.FromSeconds(9.5));
        var stats = new PixelStatsBuilder().Build(4160) with { GoodFits = 4100 };
        r.Apply(r.Ended(End(6, 1200, 1, ok: true) with { Events = 104400, Stats = stats })!);
        var fed = r.View(6, "me")!.Feds.Single(f => f.Fed == 1200);
        Assert.Equal((FedPhase.Done, 104400L, 4160, 4100L, 7.5), (fed.Phase, fed.Events, fed.Pixels, fed.GoodFits, fed.Seconds));
        // A FED never seen running has no time, and a rerun starts its figures again.
        Assert.Equal(0, r.View(6, "me")!.Feds.Single(f => f.Fed == 1201).Seconds);
        Record(r, r.Resubmit(new ResubmitRun(6, [1200], true), out _));
        fed = r.View(6, "me")!.Feds.Single(f => f.Fed == 1200);
        Assert.Equal((FedPhase.Pending, 0L, 0.0), (fed.Phase, fed.Events, fed.Seconds));
    }

    [Fact]
    public void A_snapshot_rebuilds_the_state_that_replaying_every_event_builds()
    {
        var journal = new List<object>();
        var r = new RunRegistry();
        for (uint run = 1; run <= 5; run++)
        {
            Record(r, r.Create(Request(run, 1200, 1201, 1296), 0), journal);
            if (run % 2 == 0) continue;
            Record(r, r.Submit(run), journal);
            var end = r.Ended(End(run, 1201, 1, ok: run != 3))!;
            r.Apply(end);
            journal.Add(end);
        }
        // A FED seen running (in memory only) is recorded pending, as replaying its events would leave it.
        r.Progressed(new FedProgress(1, 1200, 1, 1, "n1", false, 1, 2, 3, 4, 5), T0);

        var replayed = new RunRegistry();
        foreach (var e in journal) replayed.Apply(e);
        var restored = RunRegistry.FromSnapshot(r.ToSnapshot());

        static string Json(RunRegistry x) => string.Join("\n", x.Views(false, "n").Select(StatusText.ToJson));
        Assert.Equal(Json(replayed), Json(restored));
        Assert.Contains("\"phase\": \"failed\"", Json(restored));
        // Both start the same FEDs: the unfinished ones of submitted runs.
        Assert.Equal(Starts(replayed, T0, false, 100).Select(s => (s.Run, s.Fed)), Starts(restored, T0, false, 100).Select(s => (s.Run, s.Fed)));
    }

    [Fact]
    public void Resubmit_narrows_the_chosen_feds_to_the_part_as_run_py_does()
    {
        var r = new RunRegistry();
        Record(r, r.Create(Request(9, 1200, 1201, 1296, 1297), 0));
        Record(r, r.Submit(9));
        foreach (var fed in new[] { 1200, 1201, 1296, 1297 }) r.Apply(r.Ended(End(9, fed, 1, ok: fed is 1201 or 1297))!);
        int[] bpix = [.. GainCal.Detector.PixelFeds.BPix];

        // The failed ones (1200, 1296), BPix only.
        var failed = Record(r, r.Resubmit(new ResubmitRun(9, [], false, bpix), out var notes));
        Assert.Equal([1200], failed.Feds);
        Assert.Empty(notes);
        // Named FEDs outside the part are said and left; a done one is not rerun without --force: nothing done.
        var named = r.Resubmit(new ResubmitRun(9, [1201, 1296], false, bpix), out _);
        Assert.Null(named.Event);
        Assert.True(named.Answer!.NothingDone);
        Assert.Equal(["FED 1296 not in the -B/-F selection; not resubmitted", "FED 1201 is done; not rerun (--force recomputes it)", "nothing resubmitted"],
            named.Answer.Lines);
        // Nothing failed left in BPix: did nothing, and says in which selection.
        r.Apply(r.Ended(End(9, 1200, 2, ok: true))!);
        var none = r.Resubmit(new ResubmitRun(9, [], false, bpix), out _).Answer!;
        Assert.Equal((true, true, "run 9 has no failed FED in the selection; nothing resubmitted"), (none.Ok, none.NothingDone, none.Lines.Single()));
    }

    [Fact]
    public void A_runs_own_cabling_is_recorded_compared_and_sent_with_every_fed()
    {
        var r = new RunRegistry();
        var withCabling = Request(11, 1200, 1296) with { CablingPath = "/data/cabling.db", CablingTag = "T1" };
        var created = Record(r, r.Create(withCabling, 1));
        Assert.Equal(("/data/cabling.db", "T1"), (created.CablingPath, created.CablingTag));
        Assert.Contains("cabling: /data/cabling.db (tag T1)", RunRegistry.Created(created).Lines);
        Assert.True(r.Create(withCabling, 2).Answer!.Ok);
        var other = r.Create(withCabling with { CablingTag = null }, 2).Answer!;
        Assert.False(other.Ok);
        Assert.Contains("cabling /data/cabling.db", other.Lines[0]);

        Record(r, r.Submit(11));
        Assert.All(Starts(r, T0, includeSilent: false), s => Assert.Equal(("/data/cabling.db", "T1"), (s.Job.CablingPath, s.Job.CablingTag)));
        var view = r.View(11, "n1")!;
        Assert.Equal(("/data/cabling.db", "T1"), (view.CablingPath, view.CablingTag));
        Assert.Contains("cabling: /data/cabling.db (tag T1)", StatusText.Render(view));
        // Snapshots keep it.
        Assert.Equal("/data/cabling.db", RunRegistry.FromSnapshot(r.ToSnapshot()).View(11, "n1")!.CablingPath);
    }
}
