using ArrayDictOrleans.Grains.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Providers;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace ArrayDictOrleans.Tests.Persistence;

/// <summary>
/// Registration, options validation and file naming of <see cref="LocalFileGrainStorage"/>: what does not depend on the serializer.
/// </summary>
public sealed class LocalFileGrainStorageConfigurationTests : IDisposable
{
    private readonly string _rootDirectory = Path.Combine(Path.GetTempPath(), "arraydict-storage-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_rootDirectory))
        {
            Directory.Delete(_rootDirectory, recursive: true);
        }
    }

    [Theory]
    [InlineData("abc-DEF_123", "abc-DEF_123")]
    [InlineData("a.b", "a.b")]
    [InlineData("", "%")]
    [InlineData(".", "%2E")]
    [InlineData("..", "%2E%2E")]
    [InlineData(".hidden", "%2Ehidden")]
    [InlineData("end.", "end%2E")]
    [InlineData("a/b\\c", "a%2Fb%5Cc")]
    [InlineData("100%", "100%25")]
    [InlineData("ü", "%C3%BC")]
    [InlineData("con", "%63on")]
    [InlineData("NUL.txt", "%4EUL.txt")]
    [InlineData("console", "console")]
    public void LocalFileNames_Escape_Name_GivesSafeReadableSegment(string name, string expected)
    {
        Assert.Equal(expected, LocalFileNames.Escape(name));
    }

    [Fact]
    public void LocalFileGrainStorage_GetStateFilePath_IntegerKeyGrain_IsProviderStateTypeAndHexKey()
    {
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var storage = new LocalFileGrainStorage(
            "files",
            new LocalFileGrainStorageOptions { RootDirectory = _rootDirectory },
            new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>()),
            services.GetRequiredService<IActivatorProvider>(),
            NullLogger<LocalFileGrainStorage>.Instance);
        var grainId = GrainId.Create(GrainType.Create("arraydict"), GrainIdKeyExtensions.CreateIntegerKey(1234));

        var path = storage.GetStateFilePath("dict", grainId);

        Assert.Equal(Path.Combine(_rootDirectory, "files", "dict", "arraydict", "4D2.snapshot"), path);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void LocalFileGrainStorageOptionsValidator_ValidateConfiguration_EmptyRootDirectory_ThrowsNamingProviderAndProperty(string rootDirectory)
    {
        using var services = new ServiceCollection()
            .AddSerializer()
            .AddSingleton<IGrainStorageSerializer, OrleansGrainStorageSerializer>()
            .AddLocalFileGrainStorage("bad-store", options => options.RootDirectory = rootDirectory)
            .BuildServiceProvider();
        var validator = Assert.Single(services.GetServices<IConfigurationValidator>());

        var exception = Assert.Throws<OrleansConfigurationException>(validator.ValidateConfiguration);

        Assert.Contains("'bad-store'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("LocalFileGrainStorageOptions.RootDirectory", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LocalFileGrainStorageOptionsValidator_ValidateConfiguration_NonPositiveLockTimeout_ThrowsNamingProperty()
    {
        var validator = new LocalFileGrainStorageOptionsValidator(new LocalFileGrainStorageOptions { LockTimeout = TimeSpan.Zero }, "store");

        var exception = Assert.Throws<OrleansConfigurationException>(validator.ValidateConfiguration);

        Assert.Contains("LocalFileGrainStorageOptions.LockTimeout", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LocalFileGrainStorageOptionsValidator_ValidateConfiguration_Defaults_Pass()
    {
        new LocalFileGrainStorageOptionsValidator(new LocalFileGrainStorageOptions(), "store").ValidateConfiguration();
    }

    [Fact]
    public async Task LocalFileGrainStorage_AddLocalFileGrainStorageAsDefault_NoSerializerInOptions_UsesServiceSerializerAndRegistersDefault()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSerializer(serializer => serializer.AddAssembly(typeof(StorageTestState).Assembly));
        services.AddSingleton<IGrainStorageSerializer, OrleansGrainStorageSerializer>();
        services.AddLocalFileGrainStorageAsDefault(options => options.RootDirectory = _rootDirectory);
        await using var built = services.BuildServiceProvider();

        var storage = Assert.IsType<LocalFileGrainStorage>(built.GetRequiredService<IGrainStorage>());
        var participant = Assert.Single(built.GetServices<ILifecycleParticipant<ISiloLifecycle>>());
        var grainId = GrainId.Create("registrationgrain", "1");
        await storage.WriteStateAsync("state", grainId, new GrainState<StorageTestState>(new StorageTestState { Name = "written", Counter = 7 }));
        var read = new GrainState<StorageTestState>();
        await storage.ReadStateAsync("state", grainId, read);

        Assert.Same(storage, participant);
        Assert.Same(storage, built.GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME));
        Assert.Equal(Path.Combine(_rootDirectory, ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME), storage.ProviderDirectory);
        Assert.Equal(("written", 7L), (read.State!.Name, read.State.Counter));
    }

    [Fact]
    public void LocalFileGrainStorage_AddLocalFileGrainStorage_OnSiloBuilder_RegistersNamedStorage()
    {
        var siloBuilder = new TestSiloBuilder();

        siloBuilder.AddLocalFileGrainStorage("files", options => options.RootDirectory = _rootDirectory);
        using var built = siloBuilder.Services
            .AddLogging()
            .AddSerializer()
            .AddSingleton<IGrainStorageSerializer, OrleansGrainStorageSerializer>()
            .BuildServiceProvider();

        var storage = Assert.IsType<LocalFileGrainStorage>(built.GetRequiredKeyedService<IGrainStorage>("files"));
        Assert.Equal(Path.Combine(_rootDirectory, "files"), storage.ProviderDirectory);
        Assert.Null(built.GetService<IGrainStorage>());
    }

    [Fact]
    public void LocalFileGrainStorage_Constructor_EmptyRootDirectory_ThrowsConfigurationException()
    {
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>());

        Assert.Throws<OrleansConfigurationException>(() => new LocalFileGrainStorage(
            "store",
            new LocalFileGrainStorageOptions { RootDirectory = "" },
            serializer,
            services.GetRequiredService<IActivatorProvider>(),
            NullLogger<LocalFileGrainStorage>.Instance));
    }

    private sealed class TestSiloBuilder : ISiloBuilder
    {
        public IServiceCollection Services { get; } = new ServiceCollection();

        public IConfiguration Configuration { get; } = new ConfigurationBuilder().Build();
    }
}
