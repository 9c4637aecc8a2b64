using OpenTelemetry.Exporter;

namespace ArrayDictOrleans.Silo.Hosting;

/// <summary>
/// Metrics export through OpenTelemetry, bound from <c>ArrayDict:Telemetry</c>: Orleans' meter (<c>Microsoft.Orleans</c>)
/// and the project's own (<c>ArrayDictOrleans</c>: applies, rollbacks, retried epochs, snapshot bytes and duration).
/// Off by default.
/// </summary>
public sealed class ArrayDictTelemetryOptions
{
    /// <summary>Where metrics go (flag <c>--telemetry</c>): None, Console or Otlp. Default <see cref="TelemetryExporter.None"/>.</summary>
    public TelemetryExporter Exporter { get; set; } = TelemetryExporter.None;

    /// <summary>
    /// The collector's OTLP endpoint (flag <c>--otlp-endpoint</c>), an absolute http or https URI. Unset, the exporter
    /// takes <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or its default, <c>http://localhost:4317</c> (gRPC). With
    /// <see cref="OtlpExportProtocol.HttpProtobuf"/>, an endpoint without a path gets <c>/v1/metrics</c> appended.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>The OTLP transport: <c>Grpc</c> (port 4317 by convention) or <c>HttpProtobuf</c> (port 4318). Default <c>Grpc</c>.</summary>
    public OtlpExportProtocol OtlpProtocol { get; set; } = OtlpExportProtocol.Grpc;

    /// <summary>How often metrics are exported. Default 10 seconds (OpenTelemetry's own default is 60).</summary>
    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The <c>service.name</c> resource attribute the metrics carry. Default <c>arraydict-silo</c>.</summary>
    public string ServiceName { get; set; } = "arraydict-silo";
}
