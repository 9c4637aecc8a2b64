using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>
/// Logs to the program's stderr writer, one line per entry (a message of several lines is joined, stack frames dropped):
/// the exception's message only, its stack trace too under <c>--verbose</c>. Keeps stdout for the program's output (the summary, <c>--json</c>).
/// </summary>
internal sealed class CliLoggerProvider(TextWriter error, bool verbose) : ILoggerProvider
{
    private readonly ConcurrentDictionary<string, Logger> _loggers = new();

    public ILogger CreateLogger(string categoryName) => _loggers.GetOrAdd(categoryName, name => new Logger(this, name));

    public void Dispose() => _loggers.Clear();

    private void Write(LogLevel level, string category, string message, Exception? exception)
    {
        string text = verbose
            ? exception is null ? message : $"{message}{Environment.NewLine}{exception}"
            : exception is null ? ErrorText.Flatten(message) : $"{ErrorText.Flatten(message)} ({ErrorText.Flatten(exception.GetBaseException().Message)})";
        lock (error)
        {
            error.WriteLine($"arraydict: {Name(level)}: {(verbose ? category + ": " : string.Empty)}{text}");
        }
    }

    private static string Name(LogLevel level) => level switch
    {
        LogLevel.Critical or LogLevel.Error => "error",
        LogLevel.Warning => "warning",
        _ => "info",
    };

    private sealed class Logger(CliLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            provider.Write(logLevel, category, formatter(state, exception), exception);
        }
    }
}
