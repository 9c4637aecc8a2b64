using System.Diagnostics;
using System.Globalization;
using ArrayDictOrleans.Tests.Hosting;

namespace ArrayDictOrleans.Tests.Cluster;

/// <summary>
/// One silo as a user runs it: <c>dotnet ArrayDictOrleans.Silo.dll</c> with command-line flags, so that the pid the tests
/// kill is the silo's own. Ready once the host says "Application started" (after the silo joined the cluster).
/// </summary>
internal sealed class SiloProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(10);

    private readonly ChildProcess _process;

    private SiloProcess(int index, int siloPort, int gatewayPort, ChildProcess process)
    {
        Index = index;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        _process = process;
    }

    /// <summary>The silo's number in its cluster, from 0, in start order.</summary>
    public int Index { get; }

    /// <summary>The port silos talk to it on; also how Orleans' silo addresses name it.</summary>
    public int SiloPort { get; }

    /// <summary>The port clients connect to.</summary>
    public int GatewayPort { get; }

    /// <summary>The process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>A name for messages: index, ports and pid.</summary>
    public string Name => $"silo {Index} (pid {ProcessId}, silo port {SiloPort}, gateway {GatewayPort})";

    /// <summary>Starts a silo of the cluster that <paramref name="settings"/> describe, and waits until it has joined.</summary>
    public static async Task<SiloProcess> StartAsync(int index, IReadOnlyDictionary<string, string> settings, string directory)
    {
        Directory.CreateDirectory(directory);
        int[] ports = FreePorts.Take(2);
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory };
        start.ArgumentList.Add(ClusterPaths.SiloDll);
        foreach (var (flag, value) in settings)
        {
            start.ArgumentList.Add(flag);
            start.ArgumentList.Add(value);
        }

        start.ArgumentList.Add("--silo-port");
        start.ArgumentList.Add(ports[0].ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add("--gateway-port");
        start.ArgumentList.Add(ports[1].ToString(CultureInfo.InvariantCulture));
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = ChildProcess.Start($"silo {index}", start, Path.Combine(directory, "silo.log"));
        var silo = new SiloProcess(index, ports[0], ports[1], process);
        try
        {
            await process.WaitForLinesAsync(["Application started"], StartTimeout, $"silo {index} to join the cluster");
        }
        catch
        {
            silo.Dispose();
            throw;
        }

        return silo;
    }

    /// <summary>Kills the silo (SIGKILL by its pid): no goodbye to the cluster, in-flight calls lost.</summary>
    public void Kill() => _process.Kill(KillTimeout);

    /// <summary>Asks the silo to shut down gracefully (SIGTERM by its pid).</summary>
    public void Terminate() => _process.Terminate();

    /// <summary>Waits, at most <paramref name="timeout"/>, until the silo exits; returns its exit code.</summary>
    public Task<int> WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout, "shut down");

    /// <summary>The silo's last lines of output.</summary>
    public string Tail() => _process.Tail();

    public void Dispose() => _process.Dispose();
}
