using System.Net;
using System.Text;
using ArrayDictOrleans.Tests.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;

namespace ArrayDictOrleans.Tests.Telemetry;

/// <summary>
/// Stands in for an OpenTelemetry collector: accepts OTLP metric exports, over gRPC or HTTP/protobuf, on a free loopback
/// port and keeps their bodies. Protobuf writes strings as plain UTF-8, so meter and instrument names can be looked for as bytes.
/// </summary>
public sealed class FakeOtlpCollector : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly object _gate = new();
    private readonly List<byte[]> _exports = [];
    private readonly List<(byte[][] Needles, TaskCompletionSource<byte[]> Found)> _waiters = [];

    private FakeOtlpCollector(WebApplication app, int port)
    {
        _app = app;
        Endpoint = new Uri($"http://127.0.0.1:{port}");
    }

    /// <summary>The collector's base address, without the <c>/v1/metrics</c> path.</summary>
    public Uri Endpoint { get; }

    public static async Task<FakeOtlpCollector> StartAsync(OtlpExportProtocol protocol, CancellationToken cancellationToken)
    {
        int port = FreePorts.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();

        // gRPC runs over HTTP/2 without TLS here (h2c), which Kestrel speaks only on an HTTP/2-only endpoint.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(
            IPAddress.Loopback,
            port,
            listen => listen.Protocols = protocol == OtlpExportProtocol.Grpc ? HttpProtocols.Http2 : HttpProtocols.Http1AndHttp2));
        var app = builder.Build();
        var collector = new FakeOtlpCollector(app, port);
        if (protocol == OtlpExportProtocol.Grpc)
        {
            app.MapPost("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", async context =>
            {
                await collector.ReceiveAsync(context.Request);

                // One length-prefixed gRPC message, an empty ExportMetricsServiceResponse, then status OK.
                context.Response.ContentType = "application/grpc";
                context.Response.AppendTrailer("grpc-status", "0");
                await context.Response.Body.WriteAsync(new byte[5], context.RequestAborted);
            });
        }
        else
        {
            app.MapPost("/v1/metrics", async (HttpRequest request) =>
            {
                await collector.ReceiveAsync(request);

                // An empty ExportMetricsServiceResponse: everything accepted.
                return Results.Bytes([], "application/x-protobuf");
            });
        }

        await app.StartAsync(cancellationToken);
        return collector;
    }

    /// <summary>Waits for one export that holds every one of <paramref name="needles"/>, and returns it.</summary>
    public async Task<byte[]> WaitForExportAsync(TimeSpan timeout, params string[] needles)
    {
        byte[][] encoded = [.. needles.Select(Encoding.UTF8.GetBytes)];
        var found = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        int received;
        lock (_gate)
        {
            foreach (byte[] export in _exports)
            {
                if (Holds(export, encoded))
                {
                    return export;
                }
            }

            _waiters.Add((encoded, found));
        }

        try
        {
            return await found.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            lock (_gate)
            {
                received = _exports.Count;
            }

            throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for an OTLP metrics export holding {string.Join(", ", needles)}; {received} exports arrived without all of them.");
        }
        finally
        {
            lock (_gate)
            {
                _waiters.RemoveAll(waiter => waiter.Found == found);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static bool Holds(byte[] export, byte[][] needles) => needles.All(needle => export.AsSpan().IndexOf(needle) >= 0);

    private async Task ReceiveAsync(HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
        OnExport(body.ToArray());
    }

    private void OnExport(byte[] export)
    {
        lock (_gate)
        {
            _exports.Add(export);
            foreach (var (needles, found) in _waiters)
            {
                if (Holds(export, needles))
                {
                    found.TrySetResult(export);
                }
            }
        }
    }
}
