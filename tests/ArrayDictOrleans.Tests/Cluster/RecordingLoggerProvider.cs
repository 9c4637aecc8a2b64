using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ArrayDictOrleans.Tests.Cluster;

/// <summary>Keeps what a client host logs, so that tests can see what its calls met (retries and their exceptions).</summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    /// <summary>One logged message.</summary>
    public sealed record Entry(DateTimeOffset At, string Category, LogLevel Level, string Message, Exception? Exception);

    /// <summary>Everything logged so far.</summary>
    public IReadOnlyCollection<Entry> Entries => _entries;

    /// <summary>The SDK's retries so far, counted by the innermost exception type that caused them.</summary>
    public IReadOnlyDictionary<string, int> RetriesByCause() => _entries
        .Where(entry => entry.Message.StartsWith("Retrying a call", StringComparison.Ordinal) && entry.Exception is not null)
        .GroupBy(entry => entry.Exception!.GetType().Name)
        .OrderByDescending(group => group.Count())
        .ToDictionary(group => group.Key, group => group.Count());

    public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Recorder(RecordingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider._entries.Enqueue(new Entry(DateTimeOffset.UtcNow, category, logLevel, formatter(state, exception), exception));
            }
        }
    }
}
