namespace GainCal.Storage;

/// <summary>How the XRootD client waits and buffers. The defaults suit a FED dump read by a node in the same
/// computing centre; tests shorten the windows.</summary>
public sealed record XRootDOptions
{
    /// <summary>Giving up on a TCP connect (server down or unreachable).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>No byte from the server for this long counts as a lost connection.</summary>
    public TimeSpan IoTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a read stream keeps reconnecting after losing its connection mid-file before it fails
    /// with <see cref="StorageFailure.ConnectionLost"/>. Opening a file does not retry: the caller (the run's
    /// FED retries) decides.</summary>
    public TimeSpan ResumeWindow { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Largest kXR_read a read stream sends (and the buffer of an atomic write).</summary>
    public int ChunkBytes { get; init; } = 4 << 20;

    /// <summary>kXR_read requests a read stream keeps in flight on its connection (pipelined): the server sends
    /// the next ones while the reader works on the current one. 1 waits for each answer before asking again.</summary>
    public int ReadsInFlight { get; init; } = 4;

    public static XRootDOptions Default { get; } = new();
}
