namespace GainCal.Operations;

/// <summary>The exit codes of every command, for the node's command host and the `gaincal` CLI alike (README's table).</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Ok = 0;

    /// <summary>The command failed: bad input, an unknown run, an unreachable node, a failed FED (status --watch).</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong (the command host's answer; the CLI says it with 1, like System.CommandLine's own parse errors).</summary>
    public const int Usage = 2;

    /// <summary>Nothing to do, nothing done: nothing to resubmit, a run already submitted, a merge already current.</summary>
    public const int NothingDone = 3;

    /// <summary>Done, with warnings the operator asked to be an error: `calibrate --strict` on a dump not read whole and clean.</summary>
    public const int Warnings = 4;

    /// <summary>Refused because the run is partial (failed, warned or missing FEDs): `payload` without --allow-missing.</summary>
    public const int PartialRun = 5;

    /// <summary>The node's command host refused the connection: the client did not prove it knows the shared secret.</summary>
    public const int SecretRefused = 6;

    /// <summary>Interrupted by the operator (Ctrl-C).</summary>
    public const int Interrupted = 130;
}
