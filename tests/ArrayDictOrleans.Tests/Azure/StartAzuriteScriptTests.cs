using System.Diagnostics;
using System.Globalization;
using ArrayDictOrleans.Tests.Cli;
using ArrayDictOrleans.Tests.Cluster;
using ArrayDictOrleans.Tests.Hosting;

namespace ArrayDictOrleans.Tests.Azure;

/// <summary><c>scripts/start-azurite.sh</c> as a user runs it, from a directory of their own.</summary>
public sealed class StartAzuriteScriptTests
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task StartAzuriteScript_RelativePidAndLogFiles_WrittenUnderTheCallersDirectory()
    {
        await AzuriteInstallation.EnsureInstalledAsync(ClusterPaths.RepositoryRoot);
        using var caller = new TempDirectory();
        int[] ports = FreePorts.Take(3);
        string pidFile = Path.Combine(caller.Path, "run", "azurite.pid");
        string logFile = Path.Combine(caller.Path, "logs", "azurite.log");

        var (exitCode, stderr) = await RunScriptAsync(
            caller.Path,
            "--blob-port", Text(ports[0]), "--queue-port", Text(ports[1]), "--table-port", Text(ports[2]),
            "--pid-file", "run/azurite.pid", "--log-file", "logs/azurite.log", "--timeout", "60");
        int? pid = File.Exists(pidFile) ? int.Parse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture) : null;
        try
        {
            Assert.True(exitCode == 0, $"start-azurite.sh exited with {exitCode}: {stderr}");
            Assert.True(pid is not null, $"no pid file at {pidFile}: {stderr}");
            Assert.True(File.Exists(logFile), $"no log file at {logFile}: {stderr}");
            Assert.Contains($"written to {pidFile}", stderr);
            string connectionString =
                $"DefaultEndpointsProtocol=http;AccountName={AzuriteProcess.AccountName};AccountKey={AzuriteProcess.AccountKey};BlobEndpoint=http://127.0.0.1:{ports[0]}/{AzuriteProcess.AccountName};";
            var failure = await AzuriteFixture.ProbeAsync(connectionString, TimeSpan.FromSeconds(10));
            Assert.True(failure is null, $"the Azurite the script started does not answer on blob port {ports[0]}: {failure?.Message}");
        }
        finally
        {
            if (pid is { } id)
            {
                Stop(id);
            }
        }
    }

    private static async Task<(int ExitCode, string Stderr)> RunScriptAsync(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(ClusterPaths.RepositoryRoot, "scripts", "start-azurite.sh"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ScriptTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"start-azurite.sh did not exit within {ScriptTimeout.TotalSeconds:0} s; killed process {process.Id}.");
        }

        return (process.ExitCode, await stderr + await stdout);
    }

    /// <summary>Kills the Azurite the script started, by the pid it wrote.</summary>
    private static void Stop(int pid)
    {
        Process azurite;
        try
        {
            azurite = Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            // Already gone: nothing left to stop.
            return;
        }

        using (azurite)
        {
            azurite.Kill(entireProcessTree: true);
            Assert.True(azurite.WaitForExit(StopTimeout), $"Azurite (pid {pid}) did not exit within {StopTimeout.TotalSeconds:0} s of being killed.");
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
