using System.Diagnostics;

namespace ArrayDictOrleans.Tests.Azure;

/// <summary>
/// Makes sure Azurite is installed in <c>.ci/tools</c>, running <c>scripts/install-azurite.sh</c> (npm) once
/// per test run when it is not, so that a bare <c>dotnet test</c> works on a fresh machine.
/// </summary>
public static class AzuriteInstallation
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>The path of azurite.js, installing it first when missing.</summary>
    public static async Task<string> EnsureInstalledAsync(string repositoryRoot)
    {
        string entryPoint = Path.Combine(repositoryRoot, ".ci", "tools", "node_modules", "azurite", "dist", "src", "azurite.js");
        await Gate.WaitAsync();
        try
        {
            if (File.Exists(entryPoint))
            {
                return entryPoint;
            }

            string script = Path.Combine(repositoryRoot, "scripts", "install-azurite.sh");
            using var process = Process.Start(new ProcessStartInfo("bash")
            {
                ArgumentList = { script },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = repositoryRoot,
            }) ?? throw new InvalidOperationException($"Could not start bash {script}.");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(InstallTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"Installing Azurite with {script} took more than {InstallTimeout.TotalMinutes:0} minutes; it was stopped.");
            }

            if (process.ExitCode != 0 || !File.Exists(entryPoint))
            {
                throw new InvalidOperationException(
                    $"The Azure tests need Azurite; {script} exited with {process.ExitCode} and {entryPoint} is {(File.Exists(entryPoint) ? "there" : "missing")}: {await stderr}{await stdout}");
            }

            return entryPoint;
        }
        finally
        {
            Gate.Release();
        }
    }
}
