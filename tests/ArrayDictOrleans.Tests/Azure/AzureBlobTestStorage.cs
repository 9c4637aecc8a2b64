using ArrayDictOrleans.Grains;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace ArrayDictOrleans.Tests.Azure;

/// <summary>
/// An <see cref="AzureBlobGrainStorage"/> (Microsoft.Orleans.Persistence.AzureStorage) on a container of its own, built
/// the way a silo builds it: <c>AddAzureBlobGrainStorage</c> with a <see cref="BlobServiceClient"/>, named options and
/// validators, the keyed <see cref="IGrainStorage"/>, then its silo-lifecycle start, which creates the container.
/// Disposing it deletes the container.
/// </summary>
internal sealed class AzureBlobTestStorage : IAsyncDisposable
{
    public const string ProviderName = "azure-test";

    private readonly ServiceProvider _services;

    private AzureBlobTestStorage(ServiceProvider services, AzureBlobGrainStorage storage, BlobContainerClient container)
    {
        _services = services;
        Storage = storage;
        Container = container;
    }

    public AzureBlobGrainStorage Storage { get; }

    /// <summary>Gets a client of the container the storage writes to, for looking at and damaging its blobs.</summary>
    public BlobContainerClient Container { get; }

    /// <summary>
    /// Builds and starts a storage on a new container named <paramref name="containerName"/>, with the serializer that
    /// <paramref name="createSerializer"/> makes from the storage's services (which know this test assembly's types).
    /// </summary>
    public static async Task<AzureBlobTestStorage> CreateAsync(
        AzuriteFixture azurite,
        string containerName,
        Func<IServiceProvider, IGrainStorageSerializer> createSerializer)
    {
        var serviceClient = azurite.CreateServiceClient();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSerializer(serializer => serializer
            .AddAssembly(typeof(ArrayDict).Assembly)
            .AddAssembly(typeof(ArrayDictState).Assembly)
            .AddAssembly(typeof(AzureBlobTestStorage).Assembly));
        services.AddAzureBlobGrainStorage(ProviderName, (OptionsBuilder<AzureBlobStorageOptions> options) =>
            options.Configure<IServiceProvider>((o, serviceProvider) =>
            {
                o.BlobServiceClient = serviceClient;
                o.ContainerName = containerName;
                o.GrainStorageSerializer = createSerializer(serviceProvider);
            }));
        var built = services.BuildServiceProvider();
        try
        {
            foreach (var validator in built.GetServices<IConfigurationValidator>())
            {
                validator.ValidateConfiguration();
            }

            var storage = Assert.IsType<AzureBlobGrainStorage>(built.GetRequiredKeyedService<IGrainStorage>(ProviderName));

            // Outside a silo nobody runs the lifecycle, and the storage would have no container client at all.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await SiloLifecycleRunner.StartAsync(built, timeout.Token);
            return new AzureBlobTestStorage(built, storage, serviceClient.GetBlobContainerClient(containerName));
        }
        catch
        {
            await built.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The blob that holds <paramref name="stateName"/> of <paramref name="grainId"/>. The provider names it
    /// <c>{stateName}-{grainId}.json</c> whatever the serializer writes (see AzureBlobGrainStorage.GetBlobName).
    /// </summary>
    public static string BlobName(string stateName, GrainId grainId) => $"{stateName}-{grainId}.json";

    public BlobClient GetBlob(string stateName, GrainId grainId) => Container.GetBlobClient(BlobName(stateName, grainId));

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Container.DeleteIfExistsAsync();
        }
        finally
        {
            await _services.DisposeAsync();
        }
    }
}
