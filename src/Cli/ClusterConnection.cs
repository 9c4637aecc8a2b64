using System.Globalization;
using ArrayDictOrleans.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>
/// The program's way into a cluster: a client of a running cluster (with <c>--gateway</c>, configured gateways or
/// AzureTable clustering), or else a silo hosted in this process (the embedded default: localhost clustering on free
/// ports, local snapshots under the data directory). Either way it offers an <see cref="ArrayDictClient"/>.
/// </summary>
internal sealed class ClusterConnection : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    private readonly IHost _host;

    private ClusterConnection(IHost host, bool embedded, string description, int? gatewayPort)
    {
        _host = host;
        IsEmbedded = embedded;
        Description = description;
        GatewayPort = gatewayPort;
        Client = host.Services.GetRequiredService<ArrayDictClient>();
        Grains = host.Services.GetRequiredService<IGrainFactory>();
        SiloOptions = embedded ? host.Services.GetRequiredService<IOptions<ArrayDictSiloOptions>>().Value : null;
    }

    /// <summary>The SDK client.</summary>
    public ArrayDictClient Client { get; }

    /// <summary>The Orleans grain factory under <see cref="Client"/>, for grains other than ArrayDicts (the benchmark's yardstick).</summary>
    public IGrainFactory Grains { get; }

    /// <summary>Whether the silo runs in this process.</summary>
    public bool IsEmbedded { get; }

    /// <summary>The embedded silo's settings (storage, snapshot mode, persistence, sync); null for a client of a remote cluster.</summary>
    public ArrayDictSiloOptions? SiloOptions { get; }

    /// <summary>Where the cluster is, for messages: <c>embedded silo (data in ...)</c> or the gateways.</summary>
    public string Description { get; }

    /// <summary>The host's services (the embedded silo's, or the client's).</summary>
    internal IServiceProvider Services => _host.Services;

    /// <summary>The embedded silo's gateway port, where other clients can connect; null for a client.</summary>
    public int? GatewayPort { get; }

    /// <summary>Connects as the configuration says.</summary>
    /// <param name="settings">The global flags.</param>
    /// <param name="error">Where logs go.</param>
    /// <param name="cancellationToken">Stops connecting.</param>
    /// <param name="overrides">Settings applied over everything else (the benchmark's variants).</param>
    /// <param name="configureSilo">More configuration of an embedded silo.</param>
    /// <param name="forceEmbedded">Host a silo whatever the configuration says (the benchmark).</param>
    public static async Task<ClusterConnection> OpenAsync(
        ConnectionSettings settings,
        TextWriter error,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string?>? overrides = null,
        Action<ISiloBuilder>? configureSilo = null,
        bool forceEmbedded = false)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [],
            ApplicationName = "arraydict",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(settings.ToConfiguration());
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        ConfigureLogging(builder.Logging, error, settings.Verbose);
        builder.Services.AddSingleton<IHostLifetime, SilentHostLifetime>();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = StopTimeout);
        var section = builder.Configuration.GetSection(ArrayDictClientOptions.SectionName);
        bool remote = !forceEmbedded
            && (section.GetSection(nameof(ArrayDictClientOptions.Gateways)).GetChildren().Any()
                || string.Equals(section[nameof(ArrayDictClientOptions.Clustering)], "AzureTable", StringComparison.OrdinalIgnoreCase));
        if (remote && settings.EmbeddedSiloFlags().FirstOrDefault() is { } flag)
        {
            string how = settings.Gateways.Count > 0 ? "--gateway"
                : section.GetSection(nameof(ArrayDictClientOptions.Gateways)).GetChildren().Any() ? "the configured gateways"
                : "AzureTable clustering";
            throw CliException.Usage(
                $"{flag} applies only to a silo hosted in this process, and with {how} this program is a client of a running cluster, whose silos have settings of their own: leave {flag} out (set it where the silos start).");
        }

        int? gatewayPort = null;
        string description;
        try
        {
            if (remote)
            {
                builder.AddArrayDictClient(client => client.ConnectTimeout = settings.ConnectTimeout);
                var gateways = section.GetSection(nameof(ArrayDictClientOptions.Gateways)).GetChildren().Select(g => g.Value).ToList();
                description = gateways.Count > 0 ? string.Join(", ", gateways) : "the gateways in the AzureTable membership table";
            }
            else
            {
                var ports = FreePorts.Take(2);
                gatewayPort = ports[1];
                string dataDirectory = Path.GetFullPath(section[nameof(ArrayDictSiloOptions.DataDirectory)] ?? "data");
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["ArrayDict:SiloPort"] = ports[0].ToString(CultureInfo.InvariantCulture),
                    ["ArrayDict:PrimarySiloPort"] = ports[0].ToString(CultureInfo.InvariantCulture),
                    ["ArrayDict:GatewayPort"] = ports[1].ToString(CultureInfo.InvariantCulture),
                    ["ArrayDict:DataDirectory"] = dataDirectory,
                });
                builder.AddArrayDictEmbedded((_, silo) => configureSilo?.Invoke(silo));
                builder.Services.AddSingleton<IFatalErrorHandler>(new CliFatalErrorHandler(error, settings.Verbose));
                string storage = section[nameof(ArrayDictSiloOptions.Storage)] ?? nameof(StorageProvider.Local);
                description = string.Equals(storage, nameof(StorageProvider.Local), StringComparison.OrdinalIgnoreCase)
                    ? $"embedded silo, snapshots in {dataDirectory}"
                    : $"embedded silo, {storage} storage";
            }
        }
        catch (OptionsValidationException invalid)
        {
            throw CliException.Usage(string.Join(" ", invalid.Failures), invalid);
        }
        catch (InvalidOperationException invalid) when (invalid.InnerException is FormatException or InvalidOperationException)
        {
            throw CliException.Usage($"A setting in the ArrayDict section cannot be read: {ErrorText.Flatten(invalid.Message)}", invalid);
        }

        var host = builder.Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // The SDK gives up connecting after the connect timeout (ArrayDictConnectException); this is the backstop for a
        // connection attempt that hangs past it, and bounds an embedded silo's start.
        timeout.CancelAfter(settings.ConnectTimeout + (remote ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(50)));
        try
        {
            await host.StartAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            host.Dispose();
            if (exception is ArrayDictConnectException connect)
            {
                throw new CliException(
                    $"{ErrorText.Flatten(connect.Message).TrimEnd('?')} (dotnet run --project src/Silo)?",
                    ExitCodes.Failure,
                    exception);
            }

            string reason = exception is OperationCanceledException ? "no gateway answered." : Sentence(ErrorText.Flatten(exception.GetBaseException().Message));
            throw remote
                ? new CliException(
                    $"Could not connect to the ArrayDict cluster at {description} within {settings.ConnectTimeout.TotalSeconds:0.#} s: {reason} Is a silo running there (dotnet run --project src/Silo)?",
                    ExitCodes.Failure,
                    exception)
                : new CliException($"Could not start the embedded silo: {reason}", ExitCodes.Failure, exception);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new ClusterConnection(host, !remote, description, gatewayPort);
    }

    /// <summary>Stops the client or the silo in order (an embedded silo deactivates its grains, writing what is unsaved).</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(StopTimeout);
            await _host.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            if (_host is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                _host.Dispose();
            }
        }
    }

    private static string Sentence(string text) => text.TrimEnd().EndsWith('.') ? text.TrimEnd() : text.TrimEnd() + ".";

    private static void ConfigureLogging(ILoggingBuilder logging, TextWriter error, bool verbose)
    {
        logging.ClearProviders();
        logging.AddProvider(new CliLoggerProvider(error, verbose));
        logging.SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning);

        // Orleans and the silo's own grains report to the program, which reports to the user: without --verbose, their
        // logs would repeat (with stack traces) what the program says in one line.
        logging.AddFilter("Orleans", verbose ? LogLevel.Warning : LogLevel.None);
        logging.AddFilter("Microsoft", verbose ? LogLevel.Warning : LogLevel.None);
        logging.AddFilter("Polly", verbose ? LogLevel.Warning : LogLevel.None);
        logging.AddFilter("ArrayDictOrleans.Grains", verbose ? LogLevel.Information : LogLevel.None);

        // The SDK's retries and the further failures of a fan-out: the summary counts the retries, and the failure the
        // program prints is the first one.
        logging.AddFilter(typeof(ArrayDictClient).FullName, verbose ? LogLevel.Information : LogLevel.None);
    }
}
