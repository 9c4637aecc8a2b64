namespace ArrayDictOrleans.Silo.Hosting;

/// <summary>Where the silo exports its metrics.</summary>
public enum TelemetryExporter
{
    /// <summary>Nowhere: no OpenTelemetry pipeline is set up.</summary>
    None,

    /// <summary>To standard output, every <see cref="ArrayDictTelemetryOptions.ExportInterval"/>: to look at the numbers by hand.</summary>
    Console,

    /// <summary>To an OpenTelemetry collector over OTLP, at <see cref="ArrayDictTelemetryOptions.OtlpEndpoint"/>.</summary>
    Otlp,
}
