using System.Globalization;
using ArrayDictOrleans.Tests.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace ArrayDictOrleans.Tests.Dashboard;

/// <summary>A silo host with the dashboard on, built the way the silo's Program builds it, on free loopback ports.</summary>
public sealed class DashboardSilo : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DashboardSilo(WebApplication app, string clusterId, int gatewayPort, int dashboardPort)
    {
        _app = app;
        ClusterId = clusterId;
        GatewayPort = gatewayPort;
        Url = new Uri($"http://127.0.0.1:{dashboardPort}/");
    }

    public string ClusterId { get; }

    public int GatewayPort { get; }

    /// <summary>The dashboard's address.</summary>
    public Uri Url { get; }

    public static async Task<DashboardSilo> StartAsync(CancellationToken cancellationToken)
    {
        string clusterId = "dashboard-" + Guid.NewGuid().ToString("N")[..8];
        int siloPort = FreePorts.Next();
        int gatewayPort = FreePorts.Next();
        int dashboardPort = FreePorts.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(TestSilo.Settings(clusterId, siloPort, gatewayPort, new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["ArrayDict:Dashboard:Enabled"] = "true",
            ["ArrayDict:Dashboard:Port"] = dashboardPort.ToString(CultureInfo.InvariantCulture),
        }));
        builder.AddArrayDictSilo();
        builder.AddArrayDictDashboard();
        var app = builder.Build();
        app.MapArrayDictDashboard();
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new DashboardSilo(app, clusterId, gatewayPort, dashboardPort);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TestSilo.StartTimeout);
        try
        {
            await _app.StopAsync(timeout.Token);
        }
        finally
        {
            await _app.DisposeAsync();
        }
    }
}
