using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;

namespace ArrayDictOrleans.Tests.Azure;

/// <summary>
/// An Azure Storage account for the tests, found or started once per test collection. In this order: the connection
/// string in <c>ARRAYDICT_AZURE_STORAGE</c>; an Azurite that answers on its default blob endpoint 127.0.0.1:10000
/// (<c>scripts/start-azurite.sh</c>, <c>.ci/run</c>); else an Azurite that this fixture starts itself, in memory, on
/// free loopback ports, from the copy that <c>scripts/install-azurite.sh</c> puts in <c>.ci/tools</c>, and stops
/// (its whole process tree) when the collection ends. With none of these, it fails and says what to run.
/// </summary>
public sealed partial class AzuriteFixture : IAsyncLifetime
{
    /// <summary>The environment variable that names the storage account to test against, as a connection string.</summary>
    public const string ConnectionStringVariable = "ARRAYDICT_AZURE_STORAGE";

    /// <summary>The connection string of an Azurite on its default ports.</summary>
    public const string DevelopmentStorage = "UseDevelopmentStorage=true";

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    private AzuriteProcess? _ownAzurite;

    /// <summary>Gets the connection string of the storage account.</summary>
    public string ConnectionString { get; private set; } = null!;

    /// <summary>Gets where the account came from, for messages.</summary>
    public string Source { get; private set; } = null!;

    /// <summary>Gets a client for the account's blob service, with retries and network timeouts bounded for tests.</summary>
    public BlobServiceClient CreateServiceClient() => new(ConnectionString, ClientOptions());

    /// <summary>Gets a client like <see cref="CreateServiceClient()"/> whose every HTTP attempt (retries included) also passes through <paramref name="perRetryPolicy"/>.</summary>
    public BlobServiceClient CreateServiceClient(HttpPipelinePolicy perRetryPolicy)
    {
        var options = ClientOptions();
        options.AddPolicy(perRetryPolicy, HttpPipelinePosition.PerRetry);
        return new(ConnectionString, options);
    }

    /// <summary>
    /// A blob container name no other test uses: <paramref name="purpose"/>, a hyphen and 32 hex digits (3-63
    /// lowercase letters, digits and single hyphens, as Azure requires).
    /// </summary>
    public static string NewContainerName(string purpose)
    {
        if (!ContainerPurpose().IsMatch(purpose))
        {
            throw new ArgumentException($"'{purpose}' must be 1-30 lowercase letters or digits, optionally separated by single hyphens.", nameof(purpose));
        }

        return $"{purpose}-{Guid.NewGuid():N}";
    }

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } configured)
        {
            var failure = await ProbeAsync(configured, ProbeTimeout);
            if (failure is not null)
            {
                throw new InvalidOperationException(
                    $"{ConnectionStringVariable} is set, but the blob service it names ({new BlobServiceClient(configured).Uri}) did not answer within {ProbeTimeout.TotalSeconds:0} s: {failure.Message}",
                    failure);
            }

            ConnectionString = configured;
            Source = $"{ConnectionStringVariable} ({new BlobServiceClient(configured).Uri})";
            return;
        }

        var defaultFailure = await ProbeAsync(DevelopmentStorage, ProbeTimeout);
        if (defaultFailure is null)
        {
            ConnectionString = DevelopmentStorage;
            Source = "the Azurite already running on 127.0.0.1:10000";
            return;
        }

        var entryPoint = await AzuriteInstallation.EnsureInstalledAsync(Cluster.ClusterPaths.RepositoryRoot);
        _ownAzurite = await AzuriteProcess.StartAsync(entryPoint);
        var ownFailure = await ProbeAsync(_ownAzurite.ConnectionString, ProbeTimeout);
        if (ownFailure is not null)
        {
            string what = $"Azurite (pid {_ownAzurite.ProcessId}) said its blob service listens on port {_ownAzurite.BlobPort}";
            await _ownAzurite.DisposeAsync();
            _ownAzurite = null;
            throw new InvalidOperationException($"{what}, but it did not answer within {ProbeTimeout.TotalSeconds:0} s: {ownFailure.Message}", ownFailure);
        }

        ConnectionString = _ownAzurite.ConnectionString;
        Source = $"an Azurite started by the fixture (pid {_ownAzurite.ProcessId}, blob port {_ownAzurite.BlobPort}, in memory)";
    }

    public async Task DisposeAsync()
    {
        if (_ownAzurite is not null)
        {
            await _ownAzurite.DisposeAsync();
        }
    }

    /// <summary>Asks the blob service for its properties; returns null when it answered, else why not.</summary>
    internal static async Task<Exception?> ProbeAsync(string connectionString, TimeSpan timeout)
    {
        var options = ClientOptions();
        options.Retry.MaxRetries = 0;
        options.Retry.NetworkTimeout = timeout;
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await new BlobServiceClient(connectionString, options).GetPropertiesAsync(cancellation.Token);
            return null;
        }
        catch (Exception exception)
        {
            // Connection refused, a timeout, an answer that is not the blob service's: all mean "not usable".
            return exception;
        }
    }

    private static BlobClientOptions ClientOptions()
    {
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(100);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        return options;
    }

    [GeneratedRegex("^(?=.{1,30}$)[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex ContainerPurpose();
}

/// <summary>The tests that need an Azure Storage account share one <see cref="AzuriteFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite";
}
