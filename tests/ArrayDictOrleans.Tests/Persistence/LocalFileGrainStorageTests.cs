using ArrayDictOrleans.Grains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;

namespace ArrayDictOrleans.Tests.Persistence;

/// <summary>
/// <see cref="LocalFileGrainStorage"/> with Orleans' binary <see cref="OrleansGrainStorageSerializer"/> (a streaming
/// serializer): the conformance suite plus what is particular to files. Every test gets a fresh directory.
/// </summary>
public class LocalFileGrainStorageTests : GrainStorageConformanceTests<StorageTestState>, IDisposable
{
    protected const string ProviderName = "local-test";

    private readonly List<ServiceProvider> _serviceProviders = [];
    private readonly LocalFileGrainStorage _storage;

    public LocalFileGrainStorageTests()
    {
        RootDirectory = Path.Combine(Path.GetTempPath(), "arraydict-storage-tests", Guid.NewGuid().ToString("N"));
        _storage = CreateStorage();
    }

    /// <summary>Gets the root directory of this test's storages.</summary>
    protected string RootDirectory { get; }

    /// <summary>Gets the storage the conformance tests use, typed.</summary>
    protected LocalFileGrainStorage LocalStorage => _storage;

    /// <inheritdoc />
    protected override IGrainStorage Storage => _storage;

    public void Dispose()
    {
        foreach (var serviceProvider in _serviceProviders)
        {
            serviceProvider.Dispose();
        }

        if (Directory.Exists(RootDirectory))
        {
            Directory.Delete(RootDirectory, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Creates the grain storage serializer under test from the service provider of a storage.</summary>
    protected virtual IGrainStorageSerializer CreateSerializer(IServiceProvider services) => OrleansSerializer(services);

    /// <summary>Creates Orleans' binary grain storage serializer.</summary>
    protected static OrleansGrainStorageSerializer OrleansSerializer(IServiceProvider services) =>
        new(services.GetRequiredService<Serializer>());

    /// <summary>
    /// Builds a storage the way a silo does (registration extension, named options, validators, factory) on this
    /// test's root directory. Two storages built here behave like two silos sharing the directory.
    /// </summary>
    protected LocalFileGrainStorage CreateStorage(
        Action<LocalFileGrainStorageOptions>? configure = null,
        Func<IServiceProvider, IGrainStorageSerializer>? createSerializer = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSerializer(serializer => serializer.AddAssembly(typeof(StorageTestState).Assembly));
        services.AddLocalFileGrainStorage(ProviderName, (OptionsBuilder<LocalFileGrainStorageOptions> optionsBuilder) =>
            optionsBuilder.Configure<IServiceProvider>((options, serviceProvider) =>
            {
                options.RootDirectory = RootDirectory;
                options.GrainStorageSerializer = createSerializer?.Invoke(serviceProvider) ?? CreateSerializer(serviceProvider);
                configure?.Invoke(options);
            }));
        var built = services.BuildServiceProvider();
        _serviceProviders.Add(built);
        foreach (var validator in built.GetServices<IConfigurationValidator>())
        {
            validator.ValidateConfiguration();
        }

        return Assert.IsType<LocalFileGrainStorage>(built.GetRequiredKeyedService<IGrainStorage>(ProviderName));
    }

    /// <inheritdoc />
    protected override StorageTestState CreateState(int seed) => StorageTestStates.Create(seed);

    /// <inheritdoc />
    protected override StorageTestState CreateLargeState() => StorageTestStates.CreateLarge();

    /// <inheritdoc />
    protected override void AssertEquivalent(StorageTestState expected, StorageTestState actual) => StorageTestStates.AssertEquivalent(expected, actual);

    /// <inheritdoc />
    protected override void AssertIsDefault(StorageTestState state) => StorageTestStates.AssertIsDefault(state);

    /// <inheritdoc />
    protected override async Task CorruptStoredPayloadAsync(string stateName, GrainId grainId)
    {
        var path = LocalStorage.GetStateFilePath(stateName, grainId);
        var fileStream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        await using (fileStream)
        {
            var payloadMiddle = LocalFileSnapshotHeader.Size + ((fileStream.Length - LocalFileSnapshotHeader.Size) / 2);
            fileStream.Position = payloadMiddle;
            var original = fileStream.ReadByte();
            fileStream.Position = payloadMiddle;
            fileStream.WriteByte((byte)(original ^ 0x5A));
        }
    }

    /// <inheritdoc />
    protected override void AssertCorruptionError(Exception exception)
    {
        var storageException = Assert.IsType<LocalFileStorageException>(exception);
        Assert.IsType<InvalidDataException>(storageException.InnerException);
        Assert.Contains("checksum", storageException.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalFileGrainStorage_WriteState_TwoStoragesOnSameDirectory_StaleWriterLoses()
    {
        var siloA = LocalStorage;
        var siloB = CreateStorage();
        var grainId = NewGrainId();
        var onA = new GrainState<StorageTestState>(CreateState(1));
        await siloA.WriteStateAsync(StateName, grainId, onA);
        var onB = new GrainState<StorageTestState>();
        await siloB.ReadStateAsync(StateName, grainId, onB);
        Assert.Equal(onA.ETag, onB.ETag);

        onA.State = CreateState(2);
        await siloA.WriteStateAsync(StateName, grainId, onA);
        onB.State = CreateState(3);
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => siloB.WriteStateAsync(StateName, grainId, onB));

        Assert.Equal(onA.ETag, conflict.StoredEtag);
        Assert.Equal(onB.ETag, conflict.CurrentEtag);
        Assert.Contains(LocalStorage.GetStateFilePath(StateName, grainId), conflict.Message, StringComparison.Ordinal);
        var readOnB = new GrainState<StorageTestState>();
        await siloB.ReadStateAsync(StateName, grainId, readOnB);
        AssertEquivalent(CreateState(2), readOnB.State!);
    }

    [Fact]
    public async Task LocalFileGrainStorage_WriteState_ConcurrentWritersOnTwoStorages_ExactlyOneWins()
    {
        const int Writers = 16;
        var silos = new[] { LocalStorage, CreateStorage() };
        var grainId = NewGrainId();
        var initial = new GrainState<StorageTestState>(CreateState(1));
        await silos[0].WriteStateAsync(StateName, grainId, initial);

        var attempts = Enumerable.Range(0, Writers)
            .Select(i => (Silo: silos[i % 2], State: new GrainState<StorageTestState>(CreateState(10 + i), initial.ETag)))
            .ToArray();
        var outcomes = await Task.WhenAll(attempts.Select(async attempt =>
        {
            try
            {
                await attempt.Silo.WriteStateAsync(StateName, grainId, attempt.State);
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        }));

        Assert.Single(outcomes, won => won);
        var winner = attempts[Array.IndexOf(outcomes, true)].State;
        var read = await ReadAsync(grainId);
        Assert.Equal(winner.ETag, read.ETag);
        AssertEquivalent(winner.State!, read.State!);
        Assert.Empty(TemporaryFiles(grainId));
    }

    [Fact]
    public async Task LocalFileGrainStorage_ReadState_LeftoverTemporaryFiles_AreIgnored()
    {
        var grainId = NewGrainId();
        var path = LocalStorage.GetStateFilePath(StateName, grainId);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var crashedBeforeFirstWrite = $"{path}.{Guid.NewGuid():N}{LocalFileGrainStorage.TemporaryFileExtension}";
        await File.WriteAllBytesAsync(crashedBeforeFirstWrite, [1, 2, 3, 4, 5]);

        var beforeWrite = await ReadAsync(grainId);
        var grainState = new GrainState<StorageTestState>(CreateState(1));
        await Storage.WriteStateAsync(StateName, grainId, grainState);
        var crashedMidWrite = $"{path}.{Guid.NewGuid():N}{LocalFileGrainStorage.TemporaryFileExtension}";
        var bytes = await File.ReadAllBytesAsync(path);
        await File.WriteAllBytesAsync(crashedMidWrite, bytes.AsMemory(0, bytes.Length / 2).ToArray());
        grainState.State = CreateState(2);
        await Storage.WriteStateAsync(StateName, grainId, grainState);
        var afterWrite = await ReadAsync(grainId);

        Assert.False(beforeWrite.RecordExists);
        Assert.Equal(grainState.ETag, afterWrite.ETag);
        AssertEquivalent(CreateState(2), afterWrite.State!);
        Assert.Equal(
            new[] { crashedBeforeFirstWrite, crashedMidWrite }.Order(StringComparer.Ordinal),
            TemporaryFiles(grainId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task LocalFileGrainStorage_WriteState_StreamingSerializer_WritesAndReadsThroughFileStream()
    {
        RecordingStreamingSerializer? recorder = null;
        var storage = CreateStorage(createSerializer: services =>
            recorder = new RecordingStreamingSerializer(OrleansSerializer(services)));
        var grainId = NewGrainId();

        await storage.WriteStateAsync(StateName, grainId, new GrainState<StorageTestState>(CreateLargeState()));
        var read = new GrainState<StorageTestState>();
        await storage.ReadStateAsync(StateName, grainId, read);

        Assert.NotNull(recorder);
        Assert.Equal((1, 1, 0, 0), (recorder.SerializeAsyncCalls, recorder.DeserializeAsyncCalls, recorder.SerializeCalls, recorder.DeserializeCalls));
        Assert.True(recorder.LastReadStreamCanSeek);
        Assert.Equal(new FileInfo(storage.GetStateFilePath(StateName, grainId)).Length - LocalFileSnapshotHeader.Size, recorder.LastReadStreamLength);
        AssertEquivalent(CreateLargeState(), read.State!);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task LocalFileGrainStorage_ReadState_SerializerCannotReadPayload_ThrowsLocalFileStorageExceptionNamingGrain(bool streaming)
    {
        var grainId = NewGrainId();
        await Storage.WriteStateAsync(StateName, grainId, new GrainState<StorageTestState>(CreateState(1)));
        var failing = CreateStorage(createSerializer: services =>
        {
            var failingSerializer = new FailingGrainStorageSerializer(OrleansSerializer(services), failSerialize: false, failDeserialize: true);
            return streaming ? failingSerializer : new NonStreamingGrainStorageSerializer(failingSerializer);
        });
        var grainState = new GrainState<StorageTestState>(CreateState(2), "etag-before") { RecordExists = true };

        var exception = await Assert.ThrowsAsync<LocalFileStorageException>(() => failing.ReadStateAsync(StateName, grainId, grainState));

        var inner = Assert.IsType<InvalidOperationException>(exception.InnerException);
        Assert.Equal(FailingGrainStorageSerializer.DeserializeMessage, inner.Message);
        Assert.Contains($"'{ProviderName}'", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"'{StateName}'", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"'{GrainType}'", exception.Message, StringComparison.Ordinal);
        Assert.Contains(grainId.ToString(), exception.Message, StringComparison.Ordinal);
        Assert.Contains(failing.GetStateFilePath(StateName, grainId), exception.Message, StringComparison.Ordinal);
        Assert.Contains(FailingGrainStorageSerializer.DeserializeMessage, exception.Message, StringComparison.Ordinal);
        AssertEquivalent(CreateState(2), grainState.State!);
        Assert.Equal("etag-before", grainState.ETag);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task LocalFileGrainStorage_WriteState_SerializerFails_KeepsStoredStateAndLeavesNoTemporaryFile(bool streaming)
    {
        var grainId = NewGrainId();
        var grainState = new GrainState<StorageTestState>(CreateState(1));
        await Storage.WriteStateAsync(StateName, grainId, grainState);
        var etagBefore = grainState.ETag;
        var failing = CreateStorage(createSerializer: services =>
        {
            var failingSerializer = new FailingGrainStorageSerializer(OrleansSerializer(services), failSerialize: true, failDeserialize: false);
            return streaming ? failingSerializer : new NonStreamingGrainStorageSerializer(failingSerializer);
        });

        grainState.State = CreateState(2);
        var exception = await Assert.ThrowsAsync<LocalFileStorageException>(() => failing.WriteStateAsync(StateName, grainId, grainState));

        Assert.Equal(FailingGrainStorageSerializer.SerializeMessage, exception.InnerException?.Message);
        Assert.Equal(etagBefore, grainState.ETag);
        var read = await ReadAsync(grainId);
        Assert.Equal(etagBefore, read.ETag);
        AssertEquivalent(CreateState(1), read.State!);
        Assert.Empty(TemporaryFiles(grainId));
    }

    [Theory]
    [InlineData(0, "signature")]
    [InlineData(9, "checksum")]
    [InlineData(20, "checksum")]
    [InlineData(33, "checksum")]
    [InlineData(61, "checksum")]
    public async Task LocalFileGrainStorage_ReadState_DamagedHeader_ThrowsLocalFileStorageException(int offset, string expectedProblem)
    {
        var grainId = NewGrainId();
        await Storage.WriteStateAsync(StateName, grainId, new GrainState<StorageTestState>(CreateState(1)));
        var path = LocalStorage.GetStateFilePath(StateName, grainId);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[offset] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);

        var exception = await Assert.ThrowsAsync<LocalFileStorageException>(() => ReadAsync(grainId));

        Assert.IsType<InvalidDataException>(exception.InnerException);
        Assert.Contains(expectedProblem, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalFileGrainStorage_ReadState_TruncatedFile_ThrowsLocalFileStorageException()
    {
        var grainId = NewGrainId();
        await Storage.WriteStateAsync(StateName, grainId, new GrainState<StorageTestState>(CreateLargeState()));
        var path = LocalStorage.GetStateFilePath(StateName, grainId);
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(file.Length / 2);
        }

        var exception = await Assert.ThrowsAsync<LocalFileStorageException>(() => ReadAsync(grainId));

        Assert.IsType<InvalidDataException>(exception.InnerException);
        Assert.Contains("truncated", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalFileGrainStorage_WriteState_DamagedStoredFile_ThrowsInsteadOfOverwriting()
    {
        var grainId = NewGrainId();
        var grainState = new GrainState<StorageTestState>(CreateState(1));
        await Storage.WriteStateAsync(StateName, grainId, grainState);
        var path = LocalStorage.GetStateFilePath(StateName, grainId);
        var damaged = await File.ReadAllBytesAsync(path);
        damaged[0] ^= 0xFF;
        await File.WriteAllBytesAsync(path, damaged);

        await Assert.ThrowsAsync<LocalFileStorageException>(() => Storage.WriteStateAsync(StateName, grainId, grainState));

        Assert.Equal(damaged, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task LocalFileGrainStorage_ClearState_DeleteStateOnClear_DeletesFile()
    {
        var grainId = NewGrainId();
        var grainState = new GrainState<StorageTestState>(CreateState(1));
        await Storage.WriteStateAsync(StateName, grainId, grainState);

        await Storage.ClearStateAsync(StateName, grainId, grainState);

        Assert.False(File.Exists(LocalStorage.GetStateFilePath(StateName, grainId)));
        Assert.Null(grainState.ETag);
    }

    [Fact]
    public async Task LocalFileGrainStorage_ClearState_KeepTombstone_LeavesFileWithETag()
    {
        var storage = CreateStorage(options => options.DeleteStateOnClear = false);
        var grainId = NewGrainId();
        var grainState = new GrainState<StorageTestState>(CreateState(1));
        await storage.WriteStateAsync(StateName, grainId, grainState);
        var writtenETag = grainState.ETag;

        await storage.ClearStateAsync(StateName, grainId, grainState);
        var read = new GrainState<StorageTestState>();
        await storage.ReadStateAsync(StateName, grainId, read);

        Assert.Equal(LocalFileSnapshotHeader.Size, new FileInfo(storage.GetStateFilePath(StateName, grainId)).Length);
        Assert.NotNull(grainState.ETag);
        Assert.NotEqual(writtenETag, grainState.ETag);
        Assert.Equal(grainState.ETag, read.ETag);
        Assert.False(read.RecordExists);
        AssertIsDefault(read.State!);
        await Assert.ThrowsAsync<InconsistentStateException>(
            () => storage.WriteStateAsync(StateName, grainId, new GrainState<StorageTestState>(CreateState(2))));
        read.State = CreateState(3);
        await storage.WriteStateAsync(StateName, grainId, read);
        Assert.True(read.RecordExists);
    }

    [Fact]
    public async Task LocalFileGrainStorage_WriteState_LockHeldByAnotherProcess_TimesOutThenSucceedsOnceReleased()
    {
        var storage = CreateStorage(options => options.LockTimeout = TimeSpan.FromMilliseconds(200));
        var grainId = NewGrainId();
        var grainState = new GrainState<StorageTestState>(CreateState(1));
        var lockFilePath = storage.GetLockFilePath(StateName, grainId);
        Directory.CreateDirectory(Path.GetDirectoryName(lockFilePath)!);

        using (new FileStream(lockFilePath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var exception = await Assert.ThrowsAsync<LocalFileStorageException>(() => storage.WriteStateAsync(StateName, grainId, grainState));

            Assert.IsType<TimeoutException>(exception.InnerException);
            Assert.Contains(lockFilePath, exception.Message, StringComparison.Ordinal);
            Assert.False(File.Exists(storage.GetStateFilePath(StateName, grainId)));
            Assert.Empty(TemporaryFiles(grainId));
        }

        await storage.WriteStateAsync(StateName, grainId, grainState);
        Assert.True(grainState.RecordExists);
    }

    [Fact]
    public async Task LocalFileGrainStorage_GetStateFilePath_UnsafeNames_StayInsideProviderDirectoryAndRoundTrip()
    {
        const string UnsafeStateName = "../../escape";
        var grainId = GrainId.Create("my.grain:type", "key with spaces/..\\:*?\"<>|ü");

        var path = LocalStorage.GetStateFilePath(UnsafeStateName, grainId);
        await LocalStorage.WriteStateAsync(UnsafeStateName, grainId, new GrainState<StorageTestState>(CreateState(1)));
        var read = new GrainState<StorageTestState>();
        await LocalStorage.ReadStateAsync(UnsafeStateName, grainId, read);

        var relative = Path.GetRelativePath(LocalStorage.ProviderDirectory, path);
        var segments = relative.Split(Path.DirectorySeparatorChar);
        Assert.Equal(3, segments.Length);
        Assert.All(segments, segment => Assert.Matches("^[A-Za-z0-9_%-][A-Za-z0-9._%-]*$", segment));
        Assert.Equal(Path.Combine(RootDirectory, ProviderName), LocalStorage.ProviderDirectory);
        Assert.True(File.Exists(path));
        AssertEquivalent(CreateState(1), read.State!);
    }

    [Fact]
    public void LocalFileGrainStorage_GetStateFilePath_VeryLongKeys_AreShortenedAndKeptApart()
    {
        var prefix = new string('k', 500);
        var first = GrainId.Create(GrainType, prefix + "1");
        var second = GrainId.Create(GrainType, prefix + "2");

        var firstName = Path.GetFileName(LocalStorage.GetStateFilePath(StateName, first));
        var secondName = Path.GetFileName(LocalStorage.GetStateFilePath(StateName, second));

        Assert.NotEqual(firstName, secondName);
        Assert.InRange(firstName.Length, 1, LocalFileNames.MaxSegmentLength + LocalFileGrainStorage.StateFileExtension.Length);
        Assert.StartsWith(new string('k', 40), firstName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalFileGrainStorage_WriteState_FlushToDisk_SyncsDirectoryAndEachNewParentOnce()
    {
        var synced = new List<string>();
        LocalStorage.DirectorySynced = synced.Add;
        var grainId = NewGrainId();
        var typeDirectory = Path.GetDirectoryName(LocalStorage.GetStateFilePath(StateName, grainId))!;
        var stateDirectory = Path.GetDirectoryName(typeDirectory)!;

        await Storage.WriteStateAsync(StateName, grainId, new GrainState<StorageTestState>(CreateState(1)));

        // The rename's directory, then the parents that hold the names of the directories this first write created.
        string[] expected = OperatingSystem.IsWindows() ? [] : [typeDirectory, stateDirectory, LocalStorage.ProviderDirectory, Path.GetFullPath(RootDirectory)];
        Assert.Equal(expected, synced);

        synced.Clear();
        var again = new GrainState<StorageTestState>();
        await Storage.ReadStateAsync(StateName, grainId, again);
        again.State = CreateState(2);
        await Storage.WriteStateAsync(StateName, grainId, again);
        await Storage.WriteStateAsync(StateName, NewGrainId(), new GrainState<StorageTestState>(CreateState(3)));

        Assert.Equal(OperatingSystem.IsWindows() ? [] : [typeDirectory, typeDirectory], synced);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task LocalFileGrainStorage_ClearState_FlushToDisk_SyncsTheDirectoryOfTheDeleteOrTombstone(bool deleteStateOnClear)
    {
        var storage = CreateStorage(options => options.DeleteStateOnClear = deleteStateOnClear);
        var grainId = NewGrainId();
        var grainState = new GrainState<StorageTestState>(CreateState(1));
        await storage.WriteStateAsync(StateName, grainId, grainState);
        var synced = new List<string>();
        storage.DirectorySynced = synced.Add;

        await storage.ClearStateAsync(StateName, grainId, grainState);
        await storage.ClearStateAsync(StateName, NewGrainId(), new GrainState<StorageTestState>());

        var typeDirectory = Path.GetDirectoryName(storage.GetStateFilePath(StateName, grainId))!;
        string[] expected = OperatingSystem.IsWindows() ? [] : deleteStateOnClear ? [typeDirectory] : [typeDirectory, typeDirectory];
        Assert.Equal(expected, synced);
    }

    [Fact]
    public async Task LocalFileGrainStorage_WriteAndClear_FlushToDiskOff_SyncNoDirectory()
    {
        var storage = CreateStorage(options => options.FlushToDisk = false);
        var synced = new List<string>();
        storage.DirectorySynced = synced.Add;
        var grainId = NewGrainId();
        var grainState = new GrainState<StorageTestState>(CreateState(1));

        await storage.WriteStateAsync(StateName, grainId, grainState);
        await storage.ClearStateAsync(StateName, grainId, grainState);

        Assert.Empty(synced);
        Assert.False(File.Exists(storage.GetStateFilePath(StateName, grainId)));
    }

    private IEnumerable<string> TemporaryFiles(GrainId grainId)
    {
        var path = LocalStorage.GetStateFilePath(StateName, grainId);
        var directory = Path.GetDirectoryName(path)!;
        return Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, Path.GetFileName(path) + ".*" + LocalFileGrainStorage.TemporaryFileExtension)
            : [];
    }
}

/// <summary>
/// The same tests with a serializer that offers only the byte-array interface, so the provider takes its non-streaming path.
/// </summary>
public sealed class LocalFileGrainStorageNonStreamingSerializerTests : LocalFileGrainStorageTests
{
    /// <inheritdoc />
    protected override IGrainStorageSerializer CreateSerializer(IServiceProvider services) =>
        new NonStreamingGrainStorageSerializer(base.CreateSerializer(services));
}
