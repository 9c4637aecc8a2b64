using System.Diagnostics;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>The time since the program started, for the wall time a user waits: from the process's start when known.</summary>
internal sealed class ProgramClock
{
    private readonly long _startTimestamp;
    private readonly TimeSpan _before;

    private ProgramClock(long startTimestamp, TimeSpan before)
    {
        _startTimestamp = startTimestamp;
        _before = before;
    }

    /// <summary>Time since the program started.</summary>
    public TimeSpan Elapsed => _before + Stopwatch.GetElapsedTime(_startTimestamp);

    /// <summary>A clock that starts now (the program runs inside another process, as in tests).</summary>
    public static ProgramClock StartingNow() => new(Stopwatch.GetTimestamp(), TimeSpan.Zero);

    /// <summary>A clock that started with this process: the runtime's own start-up counts too.</summary>
    public static ProgramClock SinceProcessStart()
    {
        long now = Stopwatch.GetTimestamp();
        using var process = Process.GetCurrentProcess();
        var before = DateTime.Now - process.StartTime;
        return new ProgramClock(now, before > TimeSpan.Zero ? before : TimeSpan.Zero);
    }
}
