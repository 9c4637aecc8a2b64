using System.Diagnostics;

namespace ArrayDictOrleans.Tests.Hosting;

/// <summary>
/// The silo program (<c>dotnet ArrayDictOrleans.Silo.dll</c>, as a user starts it) in a child process: its standard
/// output and error captured line by line, waits for lines bounded, the process killed on dispose.
/// </summary>
public sealed class SiloProgramProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly object _gate = new();
    private readonly List<string> _lines = [];
    private readonly List<Waiter> _waiters = [];
    private readonly TaskCompletionSource _endedAndRead = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _ended;

    private SiloProgramProcess(Process process) => _process = process;

    /// <summary>The child's process id.</summary>
    public int Id => _process.Id;

    /// <summary>
    /// Starts the silo program with <paramref name="arguments"/> and, in its environment, <paramref name="environment"/>,
    /// in <paramref name="workingDirectory"/> (default: the test's output directory).
    /// </summary>
    public static SiloProgramProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ArrayDictOrleans.Silo.dll"));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var silo = new SiloProgramProcess(process);
        process.OutputDataReceived += (_, e) => silo.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => silo.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // Completes once the process has exited and both streams are read to their end, so no last line is missed.
        _ = process.WaitForExitAsync().ContinueWith(_ => silo.OnEnded(), TaskScheduler.Default);
        return silo;
    }

    /// <summary>Waits until every one of <paramref name="needles"/> has appeared in some line the program printed.</summary>
    /// <exception cref="TimeoutException">Not within <paramref name="timeout"/>; the message says what was awaited and ends with the program's last lines.</exception>
    /// <exception cref="InvalidOperationException">The program exited first.</exception>
    public async Task WaitForOutputAsync(TimeSpan timeout, string what, params string[] needles)
    {
        var waiter = new Waiter(needles);
        lock (_gate)
        {
            foreach (string line in _lines)
            {
                waiter.See(line);
            }

            if (!waiter.Done.Task.IsCompleted)
            {
                if (_ended)
                {
                    waiter.Fail(ExitedException(what));
                }
                else
                {
                    _waiters.Add(waiter);
                }
            }
        }

        try
        {
            await waiter.Done.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {what} ({string.Join(", ", waiter.Missing)} not seen yet). The silo's last lines:\n{Tail()}");
        }
        finally
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>Waits until the program has exited and its output is read to the end; returns its exit code and every line it printed.</summary>
    /// <exception cref="TimeoutException">Not within <paramref name="timeout"/>; the message ends with the program's last lines.</exception>
    public async Task<(int ExitCode, string Output)> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _endedAndRead.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for the silo program to exit. Its last lines:\n{Tail()}");
        }

        lock (_gate)
        {
            return (_process.ExitCode, string.Join('\n', _lines));
        }
    }

    /// <summary>The last lines the program printed, for failure messages.</summary>
    public string Tail(int count = 40)
    {
        lock (_gate)
        {
            return string.Join('\n', _lines.Skip(Math.Max(0, _lines.Count - count)));
        }
    }

    /// <summary>Kills the program with SIGKILL (no shutdown of any kind) and waits, bounded, until it has exited.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _lines.Add(line);
            foreach (var waiter in _waiters)
            {
                waiter.See(line);
            }
        }
    }

    private void OnEnded()
    {
        lock (_gate)
        {
            _ended = true;
            _endedAndRead.TrySetResult();
            if (_waiters.Count > 0)
            {
                var exited = ExitedException("its output");
                foreach (var waiter in _waiters)
                {
                    waiter.Fail(exited);
                }
            }
        }
    }

    private InvalidOperationException ExitedException(string what) =>
        new($"The silo program exited with code {_process.ExitCode} before {what} appeared. Its last lines:\n{Tail()}");

    private sealed class Waiter(string[] needles)
    {
        private readonly HashSet<string> _missing = [.. needles];

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IEnumerable<string> Missing => _missing.ToList();

        public void See(string line)
        {
            _missing.RemoveWhere(line.Contains);
            if (_missing.Count == 0)
            {
                Done.TrySetResult();
            }
        }

        public void Fail(Exception exception) => Done.TrySetException(exception);
    }
}
