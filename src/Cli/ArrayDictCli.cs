using System.CommandLine;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Messaging;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>
/// The <c>arraydict</c> command-line program: <c>run</c> (SW1, the main job), <c>info</c>, <c>get</c>, <c>set</c>,
/// <c>remove</c>, <c>clear</c>, <c>export</c>, <c>import</c> and <c>bench</c>. Every failure is one line on stderr
/// and a non-zero exit code (<see cref="ExitCodes"/>); <c>--verbose</c> adds the stack trace.
/// </summary>
internal static class ArrayDictCli
{
    /// <summary>Runs the program with <paramref name="args"/>, writing to <paramref name="stdout"/> and <paramref name="stderr"/>; returns the exit code.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="stdout">Results: tables, progress, or one JSON object with <c>--json</c>.</param>
    /// <param name="stderr">Errors and warnings.</param>
    /// <param name="cancellationToken">Ctrl-C: stops the command in order (exit code 130).</param>
    /// <param name="clock">Time since the program started (<c>run</c>'s wall time); by default, since this call.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken, ProgramClock? clock = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var commands = new CliCommands(stdout, stderr, clock ?? ProgramClock.StartingNow());
        ParseResult parse;
        try
        {
            parse = commands.Root.Parse(args);
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException)
        {
            stderr.WriteLine($"arraydict: error: {ErrorText.Flatten(exception.Message)} See 'arraydict --help'.");
            return ExitCodes.Usage;
        }

        if (parse.Errors.Count > 0)
        {
            // "Required command was not provided" comes first even when the real trouble is a misspelt command.
            var error = parse.Errors.FirstOrDefault(e => parse.UnmatchedTokens.Count > 0 && e.Message.Contains(parse.UnmatchedTokens[0], StringComparison.Ordinal))
                ?? parse.Errors[0];
            stderr.WriteLine($"arraydict: error: {error.Message} See 'arraydict --help'.");
            return ExitCodes.Usage;
        }

        bool verbose = parse.GetValue(commands.Global.Verbose);
        try
        {
            var invocation = new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            };
            return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            stderr.WriteLine("arraydict: interrupted: stopped after the calls in flight; each ArrayDict keeps its last complete snapshot.");
            return ExitCodes.Interrupted;
        }
        catch (Exception exception)
        {
            return Report(exception, stderr, verbose);
        }
    }

    /// <summary>
    /// Reports a failure: one line on <paramref name="stderr"/> (whatever the exception, its stack and inner exceptions
    /// only under <paramref name="verbose"/>); returns the exit code it calls for.
    /// </summary>
    public static int Report(Exception exception, TextWriter stderr, bool verbose)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(stderr);
        var (message, code) = Describe(exception);
        stderr.WriteLine($"arraydict: error: {message}");
        if (verbose)
        {
            stderr.WriteLine(exception.ToString());
        }

        return code;
    }

    private static (string Message, int ExitCode) Describe(Exception exception)
    {
        var meaningful = ErrorText.Meaningful(exception);
        return meaningful switch
        {
            CliException cli => (ErrorText.OneLine(exception), cli.ExitCode),
            OptionsValidationException invalid => (ErrorText.Flatten(string.Join(" ", invalid.Failures)), ExitCodes.Usage),
            SiloUnavailableException or ConnectionFailedException => ($"Lost the connection to the cluster: {ErrorText.OneLine(exception)}", ExitCodes.Failure),
            _ => (ErrorText.OneLine(exception), ExitCodes.Failure),
        };
    }
}
