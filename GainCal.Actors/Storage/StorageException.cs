namespace GainCal.Storage;

/// <summary>What went wrong with a storage location, as far as a caller decides what to do next.</summary>
public enum StorageFailure
{
    /// <summary>The file or directory does not exist.</summary>
    NotFound,

    /// <summary>The server or file system refused access.</summary>
    PermissionDenied,

    /// <summary>No server answers at the URL's host and port (down, or wrong address).</summary>
    ServerUnreachable,

    /// <summary>The connection broke mid-transfer and could not be re-established in time.</summary>
    ConnectionLost,

    /// <summary>The file changed (size) while it was being read; its bytes cannot be trusted.</summary>
    Changed,

    /// <summary>Any other refusal (bad request, no space, a server error).</summary>
    Other,
}

/// <summary>
/// A storage operation failed. The message is one line that starts with the location (URL or path) and says
/// the problem, e.g. "root://127.0.0.1:1094//run/x.dmp: file not found (server: No such file or directory)".
/// </summary>
public sealed class StorageException : IOException
{
    public StorageException(string location, StorageFailure failure, string problem, Exception? inner = null)
        : base($"{location}: {problem}", inner)
    {
        Location = location;
        Failure = failure;
    }

    public string Location { get; }

    public StorageFailure Failure { get; }

    /// <summary>Worth trying again later (server down, connection lost) rather than a property of the file.</summary>
    public bool IsTransient => Failure is StorageFailure.ServerUnreachable or StorageFailure.ConnectionLost;
}
