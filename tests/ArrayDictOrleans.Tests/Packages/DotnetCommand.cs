using System.Diagnostics;

namespace ArrayDictOrleans.Tests.Packages;

/// <summary>The outcome of a <c>dotnet</c> command.</summary>
public sealed record DotnetResult(int ExitCode, string Output, string Error)
{
    /// <summary>Asserts the command succeeded; the failure message has both streams.</summary>
    public void AssertSucceeded(string what) =>
        Assert.True(ExitCode == 0, $"{what} failed with exit code {ExitCode}.\nstdout:\n{Output}\nstderr:\n{Error}");
}

/// <summary>
/// Runs <c>dotnet</c> as a user does, in a child process with a bounded wait (killed by its id on timeout), without
/// build servers that would outlive it and without the MSBuild settings of the test run's own environment.
/// </summary>
public static class DotnetCommand
{
    public static async Task<DotnetResult> RunAsync(string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (string name in start.Environment.Keys.Where(key => key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
            Assert.Fail($"dotnet {string.Join(' ', args)} did not exit within {timeout}; killed process {process.Id}.\nstdout:\n{await output}\nstderr:\n{await error}");
        }

        return new DotnetResult(process.ExitCode, await output, await error);
    }
}
