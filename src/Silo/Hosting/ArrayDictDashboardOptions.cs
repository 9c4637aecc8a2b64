namespace ArrayDictOrleans.Silo.Hosting;

/// <summary>
/// The Orleans dashboard, bound from <c>ArrayDict:Dashboard</c>. Off by default: then the silo opens no HTTP port.
/// When on, the dashboard listens on 127.0.0.1 only (loopback), at <c>http://127.0.0.1:{Port}/</c>.
/// </summary>
public sealed class ArrayDictDashboardOptions
{
    /// <summary>Whether the silo serves the dashboard (flag <c>--dashboard true</c>). Default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>The loopback port the dashboard listens on (flag <c>--dashboard-port</c>). Default 8080.</summary>
    public int Port { get; set; } = 8080;
}
