using ArrayDictOrleans.Tests.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace ArrayDictOrleans.Tests.Telemetry;

/// <summary>The silo's metrics export: off by default, to the console or to an OTLP collector when configured.</summary>
public sealed class TelemetryExportTests
{
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void AddArrayDictTelemetry_Defaults_AddsNoMeterProvider()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(TestSilo.Settings("telemetry-off", FreePorts.Next(), FreePorts.Next()));
        builder.AddArrayDictSilo().AddArrayDictTelemetry();
        using var host = builder.Build();

        Assert.Null(host.Services.GetService<MeterProvider>());
    }

    [Theory]
    [InlineData("ArrayDict:Telemetry:OtlpEndpoint", "localhost:4317", "ArrayDict:Telemetry:OtlpEndpoint 'localhost:4317'")]
    [InlineData("ArrayDict:Telemetry:OtlpEndpoint", "ftp://127.0.0.1/", "ArrayDict:Telemetry:OtlpEndpoint 'ftp://127.0.0.1/'")]
    [InlineData("ArrayDict:Telemetry:ExportInterval", "00:00:00", "ArrayDict:Telemetry:ExportInterval is 00:00:00")]
    public void AddArrayDictTelemetry_InvalidSetting_ThrowsNamingIt(string setting, string value, string expected)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ArrayDict:Telemetry:Exporter"] = "Otlp", [setting] = value });

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddArrayDictTelemetry());

        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public async Task AddArrayDictTelemetry_Otlp_ExportsArrayDictAndOrleansMetersToCollector(OtlpExportProtocol protocol)
    {
        using var timeout = new CancellationTokenSource(TestSilo.StartTimeout + ExportTimeout);
        await using var collector = await FakeOtlpCollector.StartAsync(protocol, timeout.Token);
        string clusterId = "telemetry-otlp-" + protocol;
        int siloPort = FreePorts.Next();
        int gatewayPort = FreePorts.Next();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(TestSilo.Settings(clusterId, siloPort, gatewayPort, new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["ArrayDict:Telemetry:Exporter"] = "Otlp",
            ["ArrayDict:Telemetry:OtlpProtocol"] = protocol.ToString(),

            // No path: over HTTP the exporter is given <endpoint>/v1/metrics, as with OTEL_EXPORTER_OTLP_ENDPOINT.
            ["ArrayDict:Telemetry:OtlpEndpoint"] = collector.Endpoint.ToString(),
            ["ArrayDict:Telemetry:ExportInterval"] = "00:00:00.500",
            ["ArrayDict:Telemetry:ServiceName"] = "arraydict-otlp-test",
        }));
        builder.AddArrayDictSilo().AddArrayDictTelemetry();
        using var silo = builder.Build();
        await silo.StartAsync(timeout.Token);
        using var client = await TestSilo.StartClientAsync(clusterId, gatewayPort, timeout.Token);

        await ChangeSomeArrayDictsAsync(client);
        await collector.WaitForExportAsync(ExportTimeout, "arraydict-otlp-test", "ArrayDictOrleans", "arraydict.applies", "arraydict.snapshot.bytes", "Microsoft.Orleans", "orleans-");

        await client.StopAsync(timeout.Token);
        await silo.StopAsync(timeout.Token);
    }

    [Fact]
    public async Task SiloProgram_TelemetryConsole_PrintsArrayDictAndOrleansMeters()
    {
        using var timeout = new CancellationTokenSource(TestSilo.StartTimeout + ExportTimeout);
        string clusterId = "telemetry-console";
        int siloPort = FreePorts.Next();
        int gatewayPort = FreePorts.Next();
        var arguments = TestSilo.ProgramArguments(clusterId, siloPort, gatewayPort);
        arguments.AddRange(["--telemetry", "Console"]);
        await using var silo = SiloProgramProcess.Start(arguments, new Dictionary<string, string> { ["ArrayDict__Telemetry__ExportInterval"] = "00:00:01" });
        await silo.WaitForOutputAsync(TestSilo.StartTimeout, "the silo to start", "Application started");
        using var client = await TestSilo.StartClientAsync(clusterId, gatewayPort, timeout.Token);

        await ChangeSomeArrayDictsAsync(client);
        await silo.WaitForOutputAsync(
            ExportTimeout,
            "the console exporter to print both meters",
            "service.name: arraydict-silo",
            "Metric Name: arraydict.applies",
            "Name: ArrayDictOrleans",
            "Name: Microsoft.Orleans");

        await client.StopAsync(timeout.Token);
    }

    private static async Task ChangeSomeArrayDictsAsync(IHost client)
    {
        var sdk = client.Sdk();
        await Task.WhenAll(Enumerable.Range(1, 5).Select(key => sdk.Get(key).SetValueAsync(key, key * 0.5)));
    }
}
