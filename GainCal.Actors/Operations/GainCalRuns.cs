using System.Globalization;
using Akka.Actor;
using Akka.Hosting;
using GainCal.Cluster;

namespace GainCal.Operations;

/// <summary>`gaincal runs`: every run the coordinator knows, one line each (the FED states are `gaincal status RUN`).</summary>
public static class GainCalRuns
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static async Task<int> ExecuteAsync(IReadOnlyActorRegistry registry, Func<HostFrame, Task> emit, CancellationToken ct)
    {
        var list = await registry.Get<RunCoordinatorProxy>().Ask<RunList>(new ListRuns(false), Timeout, ct);
        if (list.Runs.Length == 0) await emit(HostFrame.Out("no runs; create one with gaincal create RUN -i DIR -o DIR"));
        foreach (var r in list.Runs) await emit(HostFrame.Out(Line(r)));
        await emit(HostFrame.Out(SlotsLine(list.Workers)));
        return CommandPalettes.Ok;
    }

    /// <summary>Where FEDs can go now: each worker node's slots and how many hold a FED placed there.</summary>
    public static string SlotsLine(IReadOnlyCollection<WorkerSlotsView> workers) =>
        workers.Count == 0
            ? "FED slots: no worker node is up yet"
            : "FED slots: " + string.Join(", ", workers.Select(w => w.Slots > 0 || w.Busy > 0
                ? $"{w.Node} {w.Busy} of {w.Slots} busy"
                : $"{w.Node} none yet (not up, unreachable, or its slots not heard: nodes tell theirs every {FedSlots.AnnounceEvery.TotalSeconds:0} s)"));

    /// <summary>How many nodes a <see cref="SlotsLine"/> shows with their slots known (for scripts and tests that wait for them).</summary>
    public static int NodesWithSlots(string? slotsLine) =>
        slotsLine is null || !slotsLine.StartsWith("FED slots: ", StringComparison.Ordinal)
            ? 0
            : slotsLine.Split(", ").Count(w => w.EndsWith(" busy", StringComparison.Ordinal));

    public static string Line(RunStatusView r)
    {
        var counts = string.Join(", ", Enum.GetValues<FedPhase>().Select(p => (p, n: r.Count(p))).Where(x => x.n > 0)
            .Select(x => $"{x.n} {StatusText.Name(x.p)}"));
        var read = r.Feds.Sum(f => f.Phase == FedPhase.Running ? f.BytesRead : 0);
        var merged = r.Merge is { Ok: true } ? r.MergeCurrent ? "merged" : "merged (not current)" : r.Merge is { } ? "merge failed" : "not merged";
        var reading = read > 0 ? string.Create(CultureInfo.InvariantCulture, $" | {read / 1e6:F1} MB read by running FEDs") : "";
        var eta = r.State == RunState.Running && r.EtaSeconds is { } s ? $", ETA {RunProgress.Duration(s)}" : "";
        return $"run {r.Run} | {r.State.Name()}{eta} | {r.Feds.Length} FEDs: {counts} | {merged} | {r.OutputDir}{reading}";
    }
}
