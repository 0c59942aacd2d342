using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.Configuration;
using GainCal.Cluster;
using GainCal.Node.Dashboard;
using GainCal.Operations;
using GainCal.Results;
using GainCal.Tests.Cluster;
using static GainCal.Tests.Cli.CalibrateCommandTests;

namespace GainCal.Tests.Operations;

public class NodeMetricsTests
{
    [Fact]
    public async Task FED_activity_becomes_counters_with_running_totals_turned_into_increments()
    {
        using var system = ActorSystem.Create("metrics", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        using var metrics = new NodeMetrics();
        var measured = new Dictionary<string, long>();
        using var listener = Listen((instrument, value, _, _) =>
        {
            lock (measured) measured[instrument.Name] = measured.GetValueOrDefault(instrument.Name) + value;
        });
        system.ActorOf(Props.Create(() => new FedActivityListener(metrics)));
        await Task.Delay(200);   // subscribed

        void Publish(FedActivity a) => system.EventStream.Publish(a);
        Publish(new FedActivity(1, 1200, 1, FedPhase.Running, 100, 10));
        Publish(new FedActivity(1, 1200, 1, FedPhase.Running, 250, 40));
        Publish(new FedActivity(1, 1201, 1, FedPhase.Running, 70, 0));
        await WaitAsync(() => metrics.FedsRunning == 2 && metrics.BytesRead == 320);
        Publish(new FedActivity(1, 1200, 1, FedPhase.Done, 300, 55));
        Publish(new FedActivity(1, 1201, 1, FedPhase.Failed, 90, 0));
        // A second attempt starts from zero again: its bytes count anew.
        Publish(new FedActivity(1, 1201, 2, FedPhase.Running, 30, 5));
        await WaitAsync(() => metrics.FedsDone == 1 && metrics.FedsFailed == 1 && metrics.BytesRead == 420);

        Assert.Equal(1, metrics.FedsRunning);
        Assert.Equal(60, metrics.PixelsFitted);
        lock (measured)
        {
            Assert.Equal(420, measured["gaincal.read"]);
            Assert.Equal(60, measured["gaincal.pixels.fitted"]);
            Assert.Equal(1, measured["gaincal.feds.done"]);
            Assert.Equal(1, measured["gaincal.feds.failed"]);
        }
    }

    [Fact]
    public void Rate_is_the_increase_over_the_window()
    {
        using var metrics = new NodeMetrics();
        var t0 = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        metrics.Sample(t0);
        metrics.Progressed(0, 1000);
        metrics.Sample(t0.AddSeconds(1));
        Assert.Equal(1000, metrics.PixelsPerSecond, 6);
        metrics.Progressed(0, 3000);
        metrics.Sample(t0.AddSeconds(2));
        Assert.Equal(2000, metrics.PixelsPerSecond, 6);
        for (var s = 3; s <= 9; s++) metrics.Sample(t0.AddSeconds(s));
        Assert.Equal(0, metrics.PixelsPerSecond, 6);   // nothing fitted in the last 5 s
    }

    [Fact]
    public async Task A_warned_FED_counts_as_warned_not_done_and_the_runs_dump_problems_are_summed_by_kind()
    {
        using var system = ActorSystem.Create("metrics", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        using var metrics = new NodeMetrics();
        var measured = new Dictionary<string, long>();
        using var listener = Listen((instrument, value, tags, _) =>
        {
            var kind = tags.ToArray().FirstOrDefault(t => t.Key == "kind").Value;
            lock (measured) measured[kind is null ? instrument.Name : $"{instrument.Name}/{kind}"] = value;
        });
        system.ActorOf(Props.Create(() => new FedActivityListener(metrics)));
        await Task.Delay(200);   // subscribed

        system.EventStream.Publish(new FedActivity(1, 1200, 1, FedPhase.Running, 100, 10));
        system.EventStream.Publish(new FedActivity(1, 1200, 1, FedPhase.DoneWithWarnings, 100, 10));
        await WaitAsync(() => metrics.FedsWarned == 1);
        Assert.Equal((0L, 0L, 0), (metrics.FedsDone, metrics.FedsFailed, metrics.FedsRunning));

        FedHealth Health(long missing, long gaps, long offPattern, string[] warnings) =>
            new(104400, 104400 - missing, false, gaps, missing, 0, 0, 0, offPattern, 0, 0, false, "", warnings);
        metrics.SetRunHealth([Health(3, 3, 10, ["a", "b"]), Health(0, 0, 0, []), Health(52000, 0, 0, ["c"])]);
        listener.RecordObservableInstruments();
        lock (measured)
        {
            Assert.Equal(52003, measured["gaincal.run.dump.problems/events_missing"]);
            Assert.Equal(3, measured["gaincal.run.dump.problems/l1id_gaps"]);
            Assert.Equal(10, measured["gaincal.run.dump.problems/off_pattern_hits"]);
            Assert.Equal(3, measured["gaincal.run.dump.problems/warnings"]);
        }
    }

    /// <summary>Every pixel that answered is fitted and counted, also those fitted after the FED's last progress report. The
    /// table has more rows: like the reference's ROOT file it holds every pixel of each module seen, answered or not.</summary>
    [Fact]
    public async Task Pixels_fitted_counts_every_answering_pixel_of_the_feds_tables_on_a_real_node()
    {
        using var dir = new TempDir();
        const uint run = 616161;
        var input = dir.Sub("in");
        // No dead pixels: every simulated pixel answers and is fitted.
        var sim = Gaincal("simulate", input, "--run", $"{run}", "--feds", "1200,1296", "--rocs-per-fed", "6", "--dead-fraction", "0");
        Assert.True(sim.Exit == 0, sim.Err);
        var planted = Directory.GetFiles(Path.Combine(input, "truth"), "*.csv").Sum(f => File.ReadLines(f).Skip(1).LongCount());
        await using var node = await InProcessNode.StartAsync(dir.Sub("data"), dir.Path);
        using var metrics = new NodeMetrics();
        node.System.ActorOf(Props.Create(() => new FedActivityListener(metrics)));
        await Task.Delay(200);   // subscribed

        Assert.Equal(0, (await node.RunAsync($"gaincal create {run} -i {input} -o {dir.Path}/out")).Code);
        Assert.Equal(0, (await node.RunAsync($"gaincal submit {run}")).Code);
        var end = await node.WaitAsync(run, s => s.AllEnded);
        Assert.All(end.Feds, f => Assert.Equal(FedPhase.Done, f.Phase));
        await WaitAsync(() => metrics.FedsDone == 2);
        Assert.Equal(2 * 6 * 4160, planted);
        Assert.Equal(planted, metrics.PixelsFitted);
        // The tables' rows of the simulated ROCs are the pixels fitted; the other rows are the unanswered ROCs of the same modules.
        var tables = end.Feds.Select(f => PixelTable.Read(f.ResultPath!)).ToList();
        Assert.Equal(planted, tables.Sum(t => t.Rows().LongCount(r => r.Status != 0 || r.Plateau != 0)));
        Assert.True(tables.Sum(t => (long)t.RowCount) > planted);
    }

    /// <summary>A listener of the node's meter's long-valued instruments.</summary>
    static MeterListener Listen(MeasurementCallback<long> measured)
    {
        var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == NodeMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback(measured);
        listener.Start();
        return listener;
    }

    static async Task WaitAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++) await Task.Delay(50);
        Assert.True(condition());
    }
}
