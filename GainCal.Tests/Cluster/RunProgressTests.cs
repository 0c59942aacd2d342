using GainCal.Cluster;

namespace GainCal.Tests.Cluster;

/// <summary>A run's progress in patterns fitted, its rates and ETA, and its state as `status` and `runs` show them.</summary>
public class RunProgressTests
{
    static FedStatusView Fed(int fed, FedPhase phase, int fitted = 0, int count = 0, long pixels = 0, long elapsedMs = 0,
        long bytesRead = 0, long length = 0) =>
        new(fed, phase, "n1", 1, bytesRead, length, 0, fitted, pixels, phase == FedPhase.Failed ? "bad dump" : null,
            phase.HasTable() ? $"/out/{fed}.parquet" : null, phase.HasTable() ? 4160 : 0, fitted, null, count, elapsedMs);

    static RunStatusView Run(bool submitted, FedStatusView[] feds, RunMerged? merge = null, bool current = false) =>
        new(5, "/in", "/out", null, null, false, submitted, [], feds, merge, current, "n1");

    static RunMerged Merged(bool ok = true) => new(5, ok, "key", ok ? "/out/GainCalibration.parquet" : null, "ab", [1200], [], [], 4160, null,
        ok ? null : "disk full", 1);

    [Fact]
    public void The_state_of_a_run_follows_its_feds_and_its_merge()
    {
        Assert.Equal(RunState.Created, Run(false, [Fed(1200, FedPhase.Created)]).State);
        Assert.Equal(RunState.Running, Run(true, [Fed(1200, FedPhase.Done), Fed(1201, FedPhase.Running)]).State);
        Assert.Equal(RunState.Done, Run(true, [Fed(1200, FedPhase.Done)]).State);
        Assert.Equal(RunState.Done, Run(true, [Fed(1200, FedPhase.Done)], Merged(), current: false).State);
        Assert.Equal(RunState.Done, Run(true, [Fed(1200, FedPhase.Done)], Merged(ok: false), current: true).State);
        Assert.Equal(RunState.Merged, Run(true, [Fed(1200, FedPhase.Done)], Merged(), current: true).State);
        Assert.Equal(RunState.Partial, Run(true, [Fed(1200, FedPhase.Done), Fed(1201, FedPhase.Failed)], Merged(), current: true).State);
        Assert.Equal(RunState.Partial, Run(true, [Fed(1200, FedPhase.DoneWithWarnings)], Merged(), current: true).State);
        Assert.Equal(RunState.Failed, Run(true, [Fed(1200, FedPhase.Failed)]).State);
    }

    [Fact]
    public void A_fed_read_to_its_end_with_half_its_patterns_fitted_is_at_half_with_an_eta_at_its_pace()
    {
        // 360 of 720 patterns and 200,000 pixels in 40 s: 5,000 pixels/s, the other 360 patterns in 40 s more.
        var fed = Fed(1200, FedPhase.Running, fitted: 360, count: 720, pixels: 200_000, elapsedMs: 40_000, bytesRead: 32_000_000, length: 32_000_000);
        Assert.Equal(5000, fed.PixelsPerSecond);
        Assert.Equal(40, fed.EtaSeconds);
        var line = StatusText.Render(Run(true, [fed])).Single(l => l.StartsWith("1200 "));
        Assert.Contains(" 50.0% 360/720 patterns fitted, 200,000 pixels, 5,000 pixels/s, ETA 0:40; read 32.0/32.0 MB", line);
        Assert.DoesNotContain("100.0%", line);
        Assert.Null(Fed(1200, FedPhase.Running, fitted: 0, count: 720, elapsedMs: 3000).EtaSeconds);
        Assert.Null(Fed(1200, FedPhase.Done, fitted: 720, count: 720, pixels: 1, elapsedMs: 3000).EtaSeconds);
    }

    [Fact]
    public void The_runs_eta_counts_every_unfinished_feds_patterns_at_the_running_feds_pace()
    {
        // Two running FEDs at 10 patterns/s each (20/s together); remaining: 400 + 600 + 1000 (queued, not started) = 2000 -> 100 s.
        var run = Run(true,
        [
            Fed(1200, FedPhase.Running, fitted: 600, count: 1000, pixels: 60_000, elapsedMs: 60_000),
            Fed(1201, FedPhase.Running, fitted: 400, count: 1000, pixels: 40_000, elapsedMs: 40_000),
            Fed(1202, FedPhase.Queued),
            Fed(1203, FedPhase.Done, fitted: 1000, count: 1000),
        ]);
        Assert.Equal(100, run.EtaSeconds!.Value, 9);
        Assert.Equal(2000, run.PixelsPerSecond, 9);
        Assert.Contains(StatusText.Render(run), l => l == "progress: 50.0% of patterns fitted, 104,160 pixels, 2,000 pixels/s, ETA 1:40");
        Assert.Null(Run(true, [Fed(1200, FedPhase.Queued)]).EtaSeconds);
        Assert.Equal("1:01:05", RunProgress.Duration(3665));
    }

    [Fact]
    public void Status_rows_line_up_whatever_the_feds_state()
    {
        var lines = StatusText.Render(Run(true, [Fed(1200, FedPhase.DoneWithWarnings), Fed(1201, FedPhase.Done), Fed(1202, FedPhase.Failed)])).ToList();
        var header = lines.Single(l => l.StartsWith("FED "));
        var rows = lines.Where(l => l.StartsWith("120")).ToList();
        Assert.Equal(3, rows.Count);
        // The node (n1) and the attempts start where the header's NODE and ATT columns do, in every row.
        Assert.All(rows, r => Assert.Equal(header.IndexOf("NODE", StringComparison.Ordinal), r.IndexOf(" n1 ", StringComparison.Ordinal) + 1));
        Assert.Single(rows.Select(r => r.IndexOf(" n1 ", StringComparison.Ordinal)).Distinct());
        Assert.Contains("1200  done-with-warnings n1 ", rows[0]);
    }

    [Fact]
    public void Status_json_carries_the_state_rates_and_eta()
    {
        var run = Run(true, [Fed(1200, FedPhase.Running, fitted: 360, count: 720, pixels: 200_000, elapsedMs: 40_000)]);
        var json = StatusText.ToJson(run);
        Assert.Contains("\"state\": \"running\"", json);
        Assert.Contains("\"etaSeconds\": 40", json);
        Assert.Contains("\"pixelsPerSecond\": 5000", json);
        Assert.Contains("\"patternCount\": 720", json);
        var back = StatusText.FromJson(json)!;
        Assert.Equal(40, back.Feds[0].EtaSeconds);
        Assert.Equal(RunState.Running, back.State);
    }
}
