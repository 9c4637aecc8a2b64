namespace ArrayDictOrleans.Client.Cli;

/// <summary>
/// What the embedded silo does when Orleans meets an error it cannot go on from (the silo declared dead, for instance).
/// Orleans' own handler writes a report of many lines, stack traces included, straight to the console and ends the
/// process with <see cref="Environment.FailFast(string)"/>; this one reports it as the program reports every failure,
/// one line (the details under <c>--verbose</c>), and ends the process with exit code 1.
/// </summary>
/// <param name="error">The program's stderr.</param>
/// <param name="verbose">Whether <c>--verbose</c> was given.</param>
/// <param name="exit">Ends the process with an exit code: <see cref="Environment.Exit"/>, except in tests.</param>
internal sealed class CliFatalErrorHandler(TextWriter error, bool verbose, Action<int>? exit = null) : IFatalErrorHandler
{
    /// <inheritdoc />
    public bool IsUnexpected(Exception exception) => exception is not ThreadAbortException;

    /// <inheritdoc />
    public void OnFatalException(object? sender = null, string? context = null, Exception? exception = null)
    {
        string what = $"The embedded silo stopped on a fatal error{(string.IsNullOrWhiteSpace(context) ? string.Empty : $" ({ErrorText.Flatten(context)})")}";
        var failure = exception is null ? new OrleansException($"{what}.") : new OrleansException($"{what}: {ErrorText.OneLine(exception)}", exception);
        int code;
        lock (error)
        {
            code = ArrayDictCli.Report(failure, error, verbose);
            error.Flush();
        }

        (exit ?? Environment.Exit)(code);
    }
}
