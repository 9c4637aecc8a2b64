using System.Diagnostics;
using System.Text.Json;
using ArrayDictOrleans.Client.Cli;

namespace ArrayDictOrleans.Tests.Cli;

/// <summary>What one run of the program printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public JsonElement Json()
    {
        Assert.True(ExitCode == 0, $"exit code {ExitCode}; stderr: {Stderr}");
        string[] lines = Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"--json must print exactly one line on stdout, not: {Stdout}");
        using var document = JsonDocument.Parse(lines[0]);
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        return document.RootElement.Clone();
    }

    /// <summary>Checks the contract for bad input: the code, one line on stderr naming the problem, no stack trace, nothing on stdout.</summary>
    public void AssertFailed(int exitCode, string mentions)
    {
        Assert.True(exitCode == ExitCode, $"exit code {ExitCode}, expected {exitCode}; stderr: {Stderr}");
        string[] lines = Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got: {Stderr}");
        Assert.StartsWith("arraydict: error: ", lines[0]);
        Assert.Contains(mentions, lines[0], StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", Stderr);
        Assert.Equal(string.Empty, Stdout.Trim());
    }
}

/// <summary>Runs the program in this process through <see cref="ArrayDictCli.RunAsync"/>, or as a real process.</summary>
public static class CliRunner
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public static async Task<CliResult> RunAsync(params string[] args)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        return await RunAsync(args, timeout.Token);
    }

    public static async Task<CliResult> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await ArrayDictCli.RunAsync(args, stdout, stderr, cancellationToken);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The built program: <c>arraydict.dll</c> beside the tests when the build copied it with its runtime config, else in src/Cli's output.</summary>
    public static string ProgramPath()
    {
        string besideTests = Path.Combine(AppContext.BaseDirectory, "arraydict.dll");
        if (File.Exists(besideTests) && File.Exists(Path.Combine(AppContext.BaseDirectory, "arraydict.runtimeconfig.json")))
        {
            return besideTests;
        }

        // tests/ArrayDictOrleans.Tests/bin/<Configuration>/<tfm>/ -> src/Cli/bin/<Configuration>/<tfm>/
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string configuration = tfm.Parent!.Name;
        string repo = tfm.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        string path = Path.Combine(repo, "src", "Cli", "bin", configuration, tfm.Name, "arraydict.dll");
        Assert.True(File.Exists(path), $"The program is not built: neither {besideTests} nor {path} exists.");
        return path;
    }

    /// <summary>Runs <c>dotnet arraydict.dll args</c> as a child process, waiting at most <paramref name="timeout"/>; kills it (by its id) on timeout.</summary>
    public static async Task<CliResult> RunProcessAsync(TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(ProgramPath());
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"arraydict {string.Join(' ', args)} did not exit within {timeout}; killed process {process.Id}. stderr so far: {(stderr.IsCompleted ? stderr.Result : "(still open)")}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>A fresh temporary directory, deleted with everything in it on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "arraydict-cli-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
