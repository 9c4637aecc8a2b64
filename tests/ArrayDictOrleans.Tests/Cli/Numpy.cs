using System.Diagnostics;

namespace ArrayDictOrleans.Tests.Cli;

/// <summary>
/// Runs Python scripts with numpy. Debian's python3-numpy (installed by .ci/run) is seen by /usr/bin/python3, not
/// necessarily by another python3 first on the PATH, so /usr/bin/python3 is preferred where it exists.
/// </summary>
public static class Numpy
{
    private static readonly Lazy<bool> Present = new(() => Run("import numpy", []).ExitCode == 0);

    public static string Python => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    /// <summary>
    /// Whether numpy can be imported. Where it cannot, a test checks with <see cref="NpzCheck"/> alone, except under CI
    /// (CI=true), which installs numpy: there its absence fails the test rather than passing it silently.
    /// </summary>
    public static bool IsAvailable()
    {
        if (Present.Value)
        {
            return true;
        }

        Assert.False(
            string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase),
            $"CI=true but {Python} cannot import numpy: .ci/run installs python3-numpy, so the .npz must be checked with it.");
        return false;
    }

    public static (int ExitCode, string Stdout, string Stderr) Run(string script, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
            {
                process.Kill(entireProcessTree: true);
                return (-1, string.Empty, $"{Python} did not exit within a minute (process {process.Id} killed).");
            }

            return (process.ExitCode, stdout.Result, stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception missing)
        {
            return (-1, string.Empty, $"{Python} cannot be started: {missing.Message}");
        }
    }
}
