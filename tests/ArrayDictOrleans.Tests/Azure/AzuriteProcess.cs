using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using ArrayDictOrleans.Tests.Hosting;

namespace ArrayDictOrleans.Tests.Azure;

/// <summary>
/// An Azurite that the tests start with <c>node</c>: on free loopback ports, data in memory, no telemetry. Disposing it
/// kills its whole process tree.
/// </summary>
internal sealed class AzuriteProcess : IAsyncDisposable
{
    /// <summary>The well-known development account, which every Azurite serves.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The well-known key of <see cref="AccountName"/>; not a secret.</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private const int OutputLinesKept = 40;
    private const int StartAttempts = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly string _workingDirectory;

    private AzuriteProcess(Process process, string workingDirectory, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        _workingDirectory = workingDirectory;
        BlobPort = blobPort;
        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{blobPort}/{AccountName};" +
            $"QueueEndpoint=http://127.0.0.1:{queuePort}/{AccountName};" +
            $"TableEndpoint=http://127.0.0.1:{tablePort}/{AccountName};";
    }

    public int ProcessId => _process.Id;

    public int BlobPort { get; }

    public string ConnectionString { get; }

    /// <summary>
    /// Starts Azurite from <paramref name="entryPoint"/> (its <c>azurite.js</c>) and waits, at most 30 s, until it reports
    /// its blob service listening. Ports are chosen free just before the start; if another program takes one in between,
    /// the start is tried again on new ports (3 attempts).
    /// </summary>
    public static async Task<AzuriteProcess> StartAsync(string entryPoint)
    {
        for (int attempt = 1; ; attempt++)
        {
            var ports = FreePorts.Take(3);
            var workingDirectory = Directory.CreateTempSubdirectory("arraydict-azurite-").FullName;
            var (process, failure, addressInUse) = await TryStartAsync(entryPoint, workingDirectory, ports);
            if (process is not null)
            {
                return new AzuriteProcess(process, workingDirectory, ports[0], ports[1], ports[2]);
            }

            Directory.Delete(workingDirectory, recursive: true);
            if (!addressInUse || attempt == StartAttempts)
            {
                throw new InvalidOperationException(failure);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(_process);
        }
        finally
        {
            _process.Dispose();
            if (Directory.Exists(_workingDirectory))
            {
                Directory.Delete(_workingDirectory, recursive: true);
            }
        }
    }

    private static async Task<(Process? Process, string Failure, bool AddressInUse)> TryStartAsync(string entryPoint, string workingDirectory, int[] ports)
    {
        var startInfo = new ProcessStartInfo("node")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        startInfo.ArgumentList.Add(entryPoint);
        foreach (var (service, port) in new[] { ("blob", ports[0]), ("queue", ports[1]), ("table", ports[2]) })
        {
            startInfo.ArgumentList.Add($"--{service}Host");
            startInfo.ArgumentList.Add("127.0.0.1");
            startInfo.ArgumentList.Add($"--{service}Port");
            startInfo.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        foreach (var flag in new[] { "--inMemoryPersistence", "--disableTelemetry", "--skipApiVersionCheck", "--silent" })
        {
            startInfo.ArgumentList.Add(flag);
        }

        var output = new ConcurrentQueue<string>();
        var blobListening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = startInfo };
        void Remember(string? line)
        {
            if (line is null)
            {
                return;
            }

            output.Enqueue(line);
            while (output.Count > OutputLinesKept)
            {
                output.TryDequeue(out _);
            }

            if (line.Contains("Blob service is successfully listening", StringComparison.Ordinal))
            {
                blobListening.TrySetResult();
            }
        }

        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        try
        {
            process.Start();
        }
        catch (Win32Exception exception)
        {
            process.Dispose();
            throw new InvalidOperationException($"Could not start 'node' to run Azurite ({exception.Message}): install Node.js, or start Azurite yourself with scripts/start-azurite.sh.", exception);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        using var timeout = new CancellationTokenSource();
        var first = await Task.WhenAny(blobListening.Task, exited, Task.Delay(StartTimeout, timeout.Token));
        await timeout.CancelAsync();
        if (first == blobListening.Task)
        {
            return (process, "", false);
        }

        string what = first == exited
            ? $"exited with code {process.ExitCode} before its blob service listened"
            : $"did not report its blob service listening within {StartTimeout.TotalSeconds:0} s";
        await StopAsync(process);
        process.Dispose();
        var lines = string.Join(Environment.NewLine, output);
        return (
            null,
            $"Azurite ({entryPoint}, ports {string.Join('/', ports)}) {what}. Its output:{Environment.NewLine}{lines}",
            lines.Contains("EADDRINUSE", StringComparison.Ordinal));
    }

    private static async Task StopAsync(Process process)
    {
        if (process.HasExited)
        {
            return;
        }

        process.Kill(entireProcessTree: true);
        try
        {
            await process.WaitForExitAsync().WaitAsync(StopTimeout);
        }
        catch (TimeoutException exception)
        {
            throw new InvalidOperationException($"Azurite (pid {process.Id}) was killed but had not exited {StopTimeout.TotalSeconds:0} s later.", exception);
        }
    }
}
