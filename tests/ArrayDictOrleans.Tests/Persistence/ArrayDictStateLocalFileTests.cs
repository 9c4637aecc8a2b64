using System.IO.Hashing;
using ArrayDictOrleans.Grains;
using ArrayDictOrleans.Grains.Persistence;
using ArrayDictOrleans.Tests.Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;

namespace ArrayDictOrleans.Tests.Persistence;

/// <summary>
/// <see cref="ArrayDictState"/> through <see cref="LocalFileGrainStorage"/> with <see cref="ArrayDictStateSerializer"/>,
/// registered as <c>AddArrayDictLocalStorage</c> does. Every test gets a fresh directory.
/// </summary>
public sealed class ArrayDictStateLocalFileTests : ArrayDictStateStorageTests, IAsyncLifetime
{
    private const string ProviderName = "arraydict-local-test";

    private readonly string _rootDirectory = Path.Combine(Path.GetTempPath(), "arraydict-state-tests", Guid.NewGuid().ToString("N"));
    private ServiceProvider _services = null!;
    private LocalFileGrainStorage _storage = null!;

    /// <inheritdoc />
    protected override IGrainStorage Storage => _storage;

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSerializer(serializer => serializer
            .AddAssembly(typeof(ArrayDict).Assembly)
            .AddAssembly(typeof(ArrayDictState).Assembly));
        services.AddSingleton<ArrayDictStateSerializer>();
        services.AddLocalFileGrainStorage(ProviderName, (OptionsBuilder<LocalFileGrainStorageOptions> options) =>
            options.Configure<ArrayDictStateSerializer>((o, serializer) =>
            {
                o.RootDirectory = _rootDirectory;
                o.GrainStorageSerializer = serializer;
            }));
        _services = services.BuildServiceProvider();
        foreach (var validator in _services.GetServices<IConfigurationValidator>())
        {
            validator.ValidateConfiguration();
        }

        _storage = Assert.IsType<LocalFileGrainStorage>(_services.GetRequiredKeyedService<IGrainStorage>(ProviderName));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await SiloLifecycleRunner.StartAsync(_services, timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        if (Directory.Exists(_rootDirectory))
        {
            Directory.Delete(_rootDirectory, recursive: true);
        }
    }

    /// <inheritdoc />
    protected override async Task<byte[]> ReadStoredPayloadAsync(string stateName, GrainId grainId)
    {
        var bytes = await File.ReadAllBytesAsync(_storage.GetStateFilePath(stateName, grainId));
        return bytes[LocalFileSnapshotHeader.Size..];
    }

    /// <inheritdoc />
    protected override Task<long> GetStoredSizeAsync(string stateName, GrainId grainId) =>
        Task.FromResult(new FileInfo(_storage.GetStateFilePath(stateName, grainId)).Length);

    /// <summary>Writes the payload behind a header that fits it (same ETag, its length and checksum): the file is intact.</summary>
    protected override async Task ReplaceStoredPayloadAsync(string stateName, GrainId grainId, byte[] payload)
    {
        var path = _storage.GetStateFilePath(stateName, grainId);
        var file = await File.ReadAllBytesAsync(path);
        var header = LocalFileSnapshotHeader.Read(file, file.LongLength) with
        {
            PayloadLength = payload.LongLength,
            PayloadHash = XxHash3.HashToUInt64(payload),
        };
        var replaced = new byte[LocalFileSnapshotHeader.Size + payload.Length];
        header.Write(replaced);
        payload.CopyTo(replaced, LocalFileSnapshotHeader.Size);
        await File.WriteAllBytesAsync(path, replaced);
    }

    /// <summary>Flips a byte in the middle of the payload, under the file's own checksum.</summary>
    protected override async Task CorruptStoredPayloadAsync(string stateName, GrainId grainId)
    {
        var path = _storage.GetStateFilePath(stateName, grainId);
        var file = await File.ReadAllBytesAsync(path);
        file[LocalFileSnapshotHeader.Size + ((file.Length - LocalFileSnapshotHeader.Size) / 2)] ^= 0x5A;
        await File.WriteAllBytesAsync(path, file);
    }

    /// <summary>
    /// A byte flipped in the file is caught by the file's own payload checksum before the snapshot is read: the
    /// provider's exception names the file and the checksum, with the <see cref="InvalidDataException"/> inside.
    /// </summary>
    protected override void AssertCorruptionError(Exception exception)
    {
        var storageError = Assert.IsType<LocalFileStorageException>(exception);
        Assert.IsType<InvalidDataException>(storageError.InnerException);
        Assert.Contains("checksum", storageError.Message, StringComparison.Ordinal);
        Assert.Contains(ProviderName, storageError.Message, StringComparison.Ordinal);
    }

    /// <summary>The provider wraps the serializer's error in its own exception naming the state, grain and file.</summary>
    protected override void AssertSnapshotError(Exception exception, string expectedMessagePart)
    {
        var storageError = Assert.IsType<LocalFileStorageException>(exception);
        var snapshotError = Assert.IsType<SnapshotFormatException>(storageError.InnerException);
        Assert.Contains(expectedMessagePart, snapshotError.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(SnapshotFormatException), storageError.Message, StringComparison.Ordinal);
        Assert.Contains(StateName, storageError.Message, StringComparison.Ordinal);
        Assert.Contains(".snapshot", storageError.Message, StringComparison.Ordinal);
    }
}
