using ArrayDictOrleans.Grains;
using ArrayDictOrleans.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Exports the silo's metrics through OpenTelemetry, as <c>ArrayDict:Telemetry</c> says: Orleans' meter
/// (<see cref="OrleansMeterName"/>) and the project's own (<see cref="ArrayDictMetrics.MeterName"/>).
/// </summary>
public static class ArrayDictTelemetryHostingExtensions
{
    /// <summary>The meter of the Orleans runtime: activations, messaging, grain calls, membership.</summary>
    public const string OrleansMeterName = "Microsoft.Orleans";

    /// <summary>
    /// Unless <see cref="ArrayDictTelemetryOptions.Exporter"/> is <see cref="TelemetryExporter.None"/> (the default), adds an
    /// OpenTelemetry meter provider that exports both meters to the console or to an OTLP collector every
    /// <see cref="ArrayDictTelemetryOptions.ExportInterval"/>, with <c>service.name</c> and the silo's endpoint as
    /// <c>service.instance.id</c>.
    /// </summary>
    /// <param name="builder">The silo's host builder.</param>
    /// <exception cref="OptionsValidationException">A setting of the <c>ArrayDict</c> section is invalid; the failures name each one.</exception>
    public static IHostApplicationBuilder AddArrayDictTelemetry(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = ArrayDictSiloConfiguration.Read(builder.Configuration);
        var telemetry = options.Telemetry;
        if (telemetry.Exporter == TelemetryExporter.None)
        {
            return builder;
        }

        int intervalMilliseconds = (int)telemetry.ExportInterval.TotalMilliseconds;
        string instance = $"{options.AdvertisedIPAddress}:{options.SiloPort}";
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(telemetry.ServiceName, serviceInstanceId: instance))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(OrleansMeterName, ArrayDictMetrics.MeterName);
                if (telemetry.Exporter == TelemetryExporter.Console)
                {
                    metrics.AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = intervalMilliseconds);
                }
                else
                {
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        exporter.Protocol = telemetry.OtlpProtocol;
                        if (telemetry.OtlpEndpoint is { } endpoint)
                        {
                            exporter.Endpoint = OtlpEndpoint(new Uri(endpoint), telemetry.OtlpProtocol);
                        }

                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = intervalMilliseconds;
                    });
                }
            });
        return builder;
    }

    /// <summary>
    /// An endpoint set in code is used as it is; over HTTP that must be the metrics path, so a bare
    /// <c>http://host:4318</c> becomes <c>http://host:4318/v1/metrics</c>, as the <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variable would.
    /// </summary>
    private static Uri OtlpEndpoint(Uri endpoint, OtlpExportProtocol protocol) =>
        protocol == OtlpExportProtocol.HttpProtobuf && endpoint.AbsolutePath == "/" ? new Uri(endpoint, "v1/metrics") : endpoint;
}
