using System.Globalization;
using System.Net;
using ArrayDictOrleans.Tests.Hosting;

namespace ArrayDictOrleans.Tests.Dashboard;

/// <summary>The silo program as a user starts it: the dashboard is off unless asked for, and then on loopback only.</summary>
public sealed class SiloProgramDashboardTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SiloProgram_DashboardOff_ListensOnlyOnSiloAndGatewayPorts()
    {
        int siloPort = FreePorts.Next();
        int gatewayPort = FreePorts.Next();
        await using var silo = SiloProgramProcess.Start(TestSilo.ProgramArguments("no-dashboard", siloPort, gatewayPort));
        await silo.WaitForOutputAsync(StartTimeout, "the silo to start", "Application started");

        var ports = ListeningSockets.Of(silo.Id).Select(endpoint => endpoint.Port).Order().ToList();

        Assert.Equal(new[] { siloPort, gatewayPort }.Order(), ports);
    }

    [Fact]
    public async Task SiloProgram_DashboardFlag_ServesDashboardOnLoopbackOnly()
    {
        int siloPort = FreePorts.Next();
        int gatewayPort = FreePorts.Next();
        int dashboardPort = FreePorts.Next();
        var arguments = TestSilo.ProgramArguments("with-dashboard", siloPort, gatewayPort);
        arguments.AddRange(["--dashboard", "true", "--dashboard-port", dashboardPort.ToString(CultureInfo.InvariantCulture)]);
        await using var silo = SiloProgramProcess.Start(arguments);
        await silo.WaitForOutputAsync(StartTimeout, "the dashboard to listen", $"Now listening on: http://127.0.0.1:{dashboardPort}", "Application started");

        var dashboard = Assert.Single(ListeningSockets.Of(silo.Id), endpoint => endpoint.Port == dashboardPort);
        Assert.Equal(IPAddress.Loopback, dashboard.Address);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        string page = await http.GetStringAsync(new Uri($"http://127.0.0.1:{dashboardPort}/"));
        Assert.Contains("<title>Orleans Dashboard</title>", page);
    }

    [Fact]
    public async Task SiloProgram_DashboardPortTakenBySilo_ExitsWithCode2AndNamesSetting()
    {
        int siloPort = FreePorts.Next();
        int gatewayPort = FreePorts.Next();
        var arguments = TestSilo.ProgramArguments("bad-dashboard", siloPort, gatewayPort);
        arguments.AddRange(["--dashboard", "true", "--dashboard-port", gatewayPort.ToString(CultureInfo.InvariantCulture)]);
        await using var silo = SiloProgramProcess.Start(arguments);

        var exited = await Assert.ThrowsAsync<InvalidOperationException>(() => silo.WaitForOutputAsync(StartTimeout, "the silo to start", "Application started"));

        Assert.Contains("exited with code 2", exited.Message);
        Assert.Contains($"ArrayDict:Dashboard:Port is {gatewayPort}", exited.Message);
    }
}
