using System.Net;

namespace GainCal.Operations;

/// <summary>Wrong shared-secret answers per client address: after <see cref="MaxFailures"/> within
/// <see cref="Window"/>, the address is refused without a challenge until its oldest counted failure is older than
/// the window. Slows guessing to a few tries a minute per address; a right answer clears the address's count.</summary>
public sealed class SecretAttempts(TimeProvider clock)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(60);
    /// <summary>Addresses remembered at most; beyond it the quietest are forgotten (a flood of addresses cannot grow memory).</summary>
    const int MaxAddresses = 4096;

    readonly Dictionary<IPAddress, Queue<DateTimeOffset>> _failures = [];
    readonly Lock _lock = new();

    /// <summary>How long the address stays refused, or null when it may try.</summary>
    public TimeSpan? LockedOutFor(IPAddress peer)
    {
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            if (!_failures.TryGetValue(peer, out var times) || Expire(peer, times, now) < MaxFailures) return null;
            return times.Peek() + Window - now;
        }
    }

    /// <summary>Counts a wrong answer; returns the failures of the address within the window.</summary>
    public int Failed(IPAddress peer)
    {
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            if (!_failures.TryGetValue(peer, out var times))
            {
                if (_failures.Count >= MaxAddresses) Forget(now);
                _failures[peer] = times = new Queue<DateTimeOffset>();
            }
            times.Enqueue(now);
            return Expire(peer, times, now);
        }
    }

    public void Succeeded(IPAddress peer)
    {
        lock (_lock) _failures.Remove(peer);
    }

    int Expire(IPAddress peer, Queue<DateTimeOffset> times, DateTimeOffset now)
    {
        while (times.TryPeek(out var t) && now - t >= Window) times.Dequeue();
        if (times.Count == 0) _failures.Remove(peer);
        return times.Count;
    }

    void Forget(DateTimeOffset now)
    {
        foreach (var (peer, times) in _failures.ToArray()) Expire(peer, times, now);
        if (_failures.Count >= MaxAddresses)
            foreach (var peer in _failures.OrderBy(p => p.Value.Count).Take(_failures.Count / 2).Select(p => p.Key).ToArray())
                _failures.Remove(peer);
    }
}
