using ArrayDictOrleans.Silo.Hosting;

namespace ArrayDictOrleans.Tests.Dashboard;

public sealed class DashboardSettingsTests
{
    private static readonly ArrayDictSiloOptionsValidator Validator = new();

    [Fact]
    public void ArrayDictSiloOptions_Defaults_DashboardOffOnPort8080AndTelemetryNone()
    {
        var options = new ArrayDictSiloOptions();

        Assert.False(options.Dashboard.Enabled);
        Assert.Equal(8080, options.Dashboard.Port);
        Assert.Equal(TelemetryExporter.None, options.Telemetry.Exporter);
    }

    [Theory]
    [InlineData(0, "ArrayDict:Dashboard:Port is 0")]
    [InlineData(70000, "ArrayDict:Dashboard:Port is 70000")]
    [InlineData(11111, "ArrayDict:Dashboard:Port is 11111, which ArrayDict:SiloPort or ArrayDict:GatewayPort already uses")]
    public void ArrayDictSiloOptionsValidator_DashboardOnBadPort_FailsNamingIt(int port, string expected)
    {
        var options = new ArrayDictSiloOptions { Dashboard = { Enabled = true, Port = port } };

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, failure => failure.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void ArrayDictSiloOptionsValidator_DashboardOffWithBadPort_Succeeds()
    {
        var options = new ArrayDictSiloOptions { Dashboard = { Enabled = false, Port = 0 } };

        Assert.True(Validator.Validate(null, options).Succeeded);
    }
}
