using System.Collections.Concurrent;

namespace GainCal.Results;

/// <summary>A fixed set of background threads that run fits, shared by every FED pipeline of a node: fitting is pure
/// CPU work, and on threads of its own it can neither take more cores than configured nor delay what runs on the .NET
/// thread pool (a node's heartbeats and gossip).</summary>
public sealed class FitThreadPool : TaskScheduler, IDisposable
{
    [ThreadStatic] private static FitThreadPool? _current;

    private readonly BlockingCollection<Task> _queue = new();
    private readonly int _threads;

    public FitThreadPool(int threads, string name = "gaincal-fit")
    {
        _threads = Math.Max(1, threads);
        for (var i = 0; i < _threads; i++)
            new Thread(Work) { IsBackground = true, Name = $"{name}-{i}" }.Start();
    }

    /// <summary>Fits waiting for a thread (for the node's metrics).</summary>
    public int Queued => _queue.Count;

    public override int MaximumConcurrencyLevel => _threads;

    private void Work()
    {
        _current = this;
        foreach (var task in _queue.GetConsumingEnumerable()) TryExecuteTask(task);
    }

    protected override void QueueTask(Task task) => _queue.Add(task);

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        _current == this && TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();

    public void Dispose() => _queue.CompleteAdding();
}
