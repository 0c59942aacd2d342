namespace GainCal.Storage;

/// <summary>
/// Rides out a storage outage (server down or restarted, network cut): a piece of work that failed because the
/// storage could not be reached is started again from the beginning after a back-off, until it succeeds or the
/// outage has lasted longer than the window. Work that failed for any other reason fails at once. Starting again
/// from the beginning cannot mix bytes of two attempts: each attempt builds its result afresh.
/// </summary>
public static class StorageOutage
{
    static readonly TimeSpan FirstWait = TimeSpan.FromSeconds(0.5);
    static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(4);

    /// <summary>The transient storage failure inside <paramref name="e"/> (itself or one it wraps), or null.</summary>
    public static StorageException? TransientIn(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is StorageException { IsTransient: true } s) return s;
        return e is AggregateException a ? a.InnerExceptions.Select(TransientIn).FirstOrDefault(s => s is not null) : null;
    }

    /// <param name="waiting">Told each failure waited out, with the wait before the next try.</param>
    public static T Run<T>(Func<T> work, TimeSpan window, CancellationToken ct, Action<StorageException, TimeSpan>? waiting = null)
    {
        DateTime? since = null;
        var wait = FirstWait;
        while (true)
        {
            try
            {
                return work();
            }
            catch (Exception e) when (TransientIn(e) is { } outage && !ct.IsCancellationRequested)
            {
                since ??= DateTime.UtcNow;
                if (DateTime.UtcNow - since.Value > window)
                    throw new StorageException(outage.Location, outage.Failure,
                        $"the storage stayed unreachable for {window.TotalSeconds:F0} s: {outage.Message}", e);
                waiting?.Invoke(outage, wait);
                ct.WaitHandle.WaitOne(wait);
                ct.ThrowIfCancellationRequested();
                wait = TimeSpan.FromTicks(Math.Min(LongestWait.Ticks, wait.Ticks * 2));
            }
        }
    }
}
