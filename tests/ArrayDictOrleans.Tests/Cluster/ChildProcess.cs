using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace ArrayDictOrleans.Tests.Cluster;

/// <summary>
/// A process the cluster tests start: its output goes to a log file and the last lines stay in memory for messages;
/// waits are bounded and say what they waited for; it is stopped by its pid, with SIGKILL or SIGTERM.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private const int LinesKept = 60;

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Queue<string> _lastLines = new();
    private readonly List<(string[] Wanted, HashSet<string> Seen, TaskCompletionSource Done)> _waiters = [];
    private readonly Lock _lock = new();

    private ChildProcess(string name, Process process, StreamWriter log)
    {
        Name = name;
        _process = process;
        _log = log;
    }

    /// <summary>A name for messages.</summary>
    public string Name { get; }

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, once exited.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <paramref name="start"/> with its output (both streams) going to <paramref name="logFile"/>.</summary>
    public static ChildProcess Start(string name, ProcessStartInfo start, string logFile)
    {
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var child = new ChildProcess(name, process, log);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        try
        {
            process.Start();
        }
        catch (Win32Exception exception)
        {
            log.Dispose();
            process.Dispose();
            throw new InvalidOperationException($"Could not start {name} ('{start.FileName}'): {exception.Message}", exception);
        }

        log.WriteLine($"== {name}: pid {process.Id}, {start.FileName} {string.Join(' ', start.ArgumentList)}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits until the output has shown every one of <paramref name="wanted"/> (substrings), at most <paramref name="timeout"/>.</summary>
    /// <exception cref="TimeoutException">Not all were seen in time, or the process exited first; the message has its last output.</exception>
    public async Task WaitForLinesAsync(string[] wanted, TimeSpan timeout, string what)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new HashSet<string>();
        lock (_lock)
        {
            foreach (string line in _lastLines)
            {
                seen.UnionWith(wanted.Where(line.Contains));
            }

            if (seen.Count < wanted.Length)
            {
                _waiters.Add((wanted, seen, done));
            }
            else
            {
                done.SetResult();
            }
        }

        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(done.Task, exited, Task.Delay(timeout));
        if (first == done.Task)
        {
            return;
        }

        string missing = string.Join(", ", wanted.Where(w => !seen.Contains(w)).Select(w => $"'{w}'"));
        string why = first == exited ? $"exited with code {_process.ExitCode} first" : $"did not within {timeout.TotalSeconds:0} s";
        throw new TimeoutException($"Waited for {what} ({Name}, pid {Id}) to print {missing}, but it {why}. Its last output:{Environment.NewLine}{Tail()}");
    }

    /// <summary>Kills the process (SIGKILL, this pid only) and waits, at most <paramref name="timeout"/>, until it is gone.</summary>
    public void Kill(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return;
        }

        _process.Kill(entireProcessTree: false);
        if (!_process.WaitForExit(timeout))
        {
            throw new TimeoutException($"{Name} (pid {Id}) was sent SIGKILL but had not exited {timeout.TotalSeconds:0} s later.");
        }
    }

    /// <summary>Asks the process to stop (SIGTERM, by its pid, through <c>kill -TERM</c>): a graceful shutdown.</summary>
    public void Terminate()
    {
        var kill = new ProcessStartInfo("kill") { UseShellExecute = false };
        kill.ArgumentList.Add("-TERM");
        kill.ArgumentList.Add(Id.ToString(CultureInfo.InvariantCulture));
        using var signal = Process.Start(kill) ?? throw new InvalidOperationException($"Could not run 'kill -TERM {Id}'.");
        signal.WaitForExit();
        if (signal.ExitCode != 0 && !_process.HasExited)
        {
            throw new InvalidOperationException($"'kill -TERM {Id}' failed with exit code {signal.ExitCode}.");
        }
    }

    /// <summary>Waits, at most <paramref name="timeout"/>, until the process exits; returns its exit code.</summary>
    /// <exception cref="TimeoutException">It did not exit in time; the message has its last output.</exception>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, string what)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {Name} (pid {Id}) to {what}, but it is still running. Its last output:{Environment.NewLine}{Tail()}", exception);
        }

        return _process.ExitCode;
    }

    /// <summary>The last lines of output.</summary>
    public string Tail()
    {
        lock (_lock)
        {
            return string.Join(Environment.NewLine, _lastLines);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
        lock (_lock)
        {
            _log.Dispose();
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // Output that arrives after Dispose has nowhere to go.
            }

            _lastLines.Enqueue(line);
            if (_lastLines.Count > LinesKept)
            {
                _lastLines.Dequeue();
            }

            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                var (wanted, seen, done) = _waiters[i];
                seen.UnionWith(wanted.Where(line.Contains));
                if (seen.Count == wanted.Length)
                {
                    done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
