namespace ArrayDictOrleans.Client.Cli;

/// <summary>The program's exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>The command failed: the cluster unreachable, a file missing or in the wrong format, a grain call refused.</summary>
    public const int Failure = 1;

    /// <summary>Bad usage: an unknown command or flag, a value out of range, an invalid setting.</summary>
    public const int Usage = 2;

    /// <summary>Stopped by Ctrl-C (or SIGTERM), as shells report SIGINT.</summary>
    public const int Interrupted = 130;
}
