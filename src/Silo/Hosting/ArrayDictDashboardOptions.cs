namespace ArrayDictOrleans.Silo.Hosting;

/// <summary>
/// The Orleans dashboard, bound from <c>ArrayDict:Dashboard</c>. Off by default: then the silo opens no HTTP port.
/// When on, the dashboard listens on 127.0.0.1 only (loopback), at <c>http://127.0.0.1:{Port}/</c>: the dashboard package
/// has no authentication of its own, so it is never offered beyond the machine (docs/security.md).
/// </summary>
public sealed class ArrayDictDashboardOptions
{
    /// <summary>Whether the silo serves the dashboard (flag <c>--dashboard true</c>). Default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>The loopback port the dashboard listens on (flag <c>--dashboard-port</c>). Default 8080.</summary>
    public int Port { get; set; } = 8080;

    /// <summary>
    /// Whether the dashboard streams the silo's live log (its trace page), which can carry grain ids, arguments and
    /// errors. Default false: the trace endpoint answers 403.
    /// </summary>
    public bool ShowLiveTrace { get; set; }
}
