namespace ArrayDictOrleans.Client.Cli;

/// <summary>A failure the program reports as one line on stderr, with <see cref="ExitCode"/>.</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.Failure, Exception? innerException = null)
    : Exception(message, innerException)
{
    /// <summary>The process's exit code.</summary>
    public int ExitCode { get; } = exitCode;

    /// <summary>Bad usage or configuration (exit code 2).</summary>
    public static CliException Usage(string message, Exception? innerException = null) => new(message, ExitCodes.Usage, innerException);
}
