using GainCal.Results;
using MessagePack;

namespace GainCal.Cluster;

/// <summary>Marker of every message and persisted event that may cross a process boundary or be stored:
/// all of them go through <see cref="GainCalSerializer"/>.</summary>
public interface IGainCalMessage;

/// <summary>Messages routed to a FedCalibrator entity ("&lt;run&gt;/&lt;fed&gt;").</summary>
public interface IFedMessage : IGainCalMessage
{
    uint Run { get; }
    int Fed { get; }
}

/// <summary>Messages routed to a RunAggregator entity ("&lt;run&gt;").</summary>
public interface IRunAggregatorMessage : IGainCalMessage
{
    uint Run { get; }
}

/// <summary>Short, stable name written as the serializer manifest (and so into the journal):
/// renaming a class must not orphan stored events.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ManifestAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>The generic answer to an operator command: lines to print, whether it succeeded, and whether it did nothing
/// (a repeat: nothing to resubmit, a run already submitted or merged), which the operator's exit code tells apart.</summary>
[MessagePackObject, Manifest("cmd-result")]
public sealed record CommandResult(
    [property: Key(0)] bool Ok,
    [property: Key(1)] string[] Lines,
    [property: Key(2)] bool NothingDone = false) : IGainCalMessage
{
    public static CommandResult Success(params string[] lines) => new(true, lines);
    public static CommandResult Failure(params string[] lines) => new(false, lines);
    public static CommandResult Unchanged(params string[] lines) => new(true, lines, true);
}

/// <summary>What one FED job needs; recorded by the FedCalibrator so that it can resume alone.</summary>
[MessagePackObject, Manifest("fed-job")]
public sealed record FedJob(
    [property: Key(0)] uint Run,
    [property: Key(1)] int Fed,
    [property: Key(2)] string DumpPath,
    [property: Key(3)] string OutputDir,
    [property: Key(4)] string? VCalPath,
    [property: Key(5)] bool RealignEvents = false,
    [property: Key(6)] string? CablingPath = null,
    [property: Key(7)] string? CablingTag = null) : IGainCalMessage
{
    [IgnoreMember] public RunLayout Layout => new(OutputDir);
}

/// <summary>One FED's finished result as the aggregator needs it.</summary>
[MessagePackObject, Manifest("fed-result-ref")]
public sealed record FedResultRef(
    [property: Key(0)] int Fed,
    [property: Key(1)] string Path,
    [property: Key(2)] string Checksum,
    [property: Key(3)] PixelStats Stats) : IGainCalMessage;
