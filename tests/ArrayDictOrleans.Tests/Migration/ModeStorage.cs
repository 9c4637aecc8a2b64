using ArrayDictOrleans.Grains;
using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Grains.Persistence;
using ArrayDictOrleans.Tests.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Serialization;
using Orleans.Storage;

namespace ArrayDictOrleans.Tests.Migration;

/// <summary>
/// The ArrayDict storage of one snapshot mode, built as a silo builds it (the hosting extensions on a silo builder,
/// named options, validators, the keyed <see cref="IGrainStorage"/>, the lifecycle start). One instance stands for one
/// silo run: a test switches modes by disposing it and starting the other mode on the same data.
/// </summary>
internal sealed class ModeStorage : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private ModeStorage(ServiceProvider services)
    {
        _services = services;
        Storage = services.GetRequiredKeyedService<IGrainStorage>(ArrayDictGrainOptions.StorageName);
    }

    /// <summary>Gets the storage the grains of this silo run use.</summary>
    public IGrainStorage Storage { get; }

    /// <summary>Gets the storage as the Full mode's (fails the test when it is not).</summary>
    public ArrayDictFullGrainStorage Full => Assert.IsType<ArrayDictFullGrainStorage>(Storage);

    /// <summary>Gets the storage as the journal mode's (fails the test when it is not).</summary>
    public ArrayDictJournalGrainStorage Journal => Assert.IsType<ArrayDictJournalGrainStorage>(Storage);

    /// <summary>Gets the Full provider the journal mode adopts snapshots from.</summary>
    public IGrainStorage FullSnapshotSource =>
        _services.GetRequiredKeyedService<ArrayDictFullSnapshotSource>(ArrayDictGrainOptions.StorageName).Storage;

    /// <summary>Registers one mode with <paramref name="register"/>, then builds, validates and starts it.</summary>
    /// <param name="register">Adds the ArrayDict storage to the silo builder (an <c>AddArrayDict...Storage</c> extension).</param>
    /// <param name="configure">Changes services after the registration (e.g. a counted blob client); null for none.</param>
    public static async Task<ModeStorage> StartAsync(Action<ISiloBuilder> register, Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSerializer(serializer => serializer
            .AddAssembly(typeof(ArrayDict).Assembly)
            .AddAssembly(typeof(ArrayDictState).Assembly)
            .AddAssembly(typeof(ModeStorage).Assembly));
        var silo = new TestSiloBuilder(services);
        silo.AddArrayDictGrains();
        register(silo);
        configure?.Invoke(services);
        var built = services.BuildServiceProvider();
        try
        {
            foreach (var validator in built.GetServices<IConfigurationValidator>())
            {
                validator.ValidateConfiguration();
            }

            var storage = new ModeStorage(built);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await SiloLifecycleRunner.StartAsync(built, timeout.Token);
            return storage;
        }
        catch
        {
            await built.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// This run's journal storage, except that removing the adopted Full snapshot fails: its first write after a switch
    /// from Full stops as a crash right after the new base would.
    /// </summary>
    public ArrayDictJournalGrainStorage JournalFailingToRemoveSnapshot() => new(
        ArrayDictGrainOptions.StorageName,
        Journal.Store,
        new LocalFileJournalStorageOptions(),
        _services.GetRequiredService<ArrayDictStateSerializer>(),
        NullLogger<ArrayDictJournalGrainStorage>.Instance,
        grainContexts: null,
        fullSnapshots: new FailingClearStorage(FullSnapshotSource));

    /// <summary>
    /// This run's Full storage, except that deleting a journal fails: its first write after a switch from Journal stops
    /// as a crash right after the new snapshot would.
    /// </summary>
    public ArrayDictFullGrainStorage FullFailingToDeleteJournal() => new(
        ArrayDictGrainOptions.StorageName,
        Full.Snapshots,
        new ArrayDictJournalGrainStorage(
            ArrayDictGrainOptions.StorageName,
            new FailingDeleteStore(Full.Journal!.Store),
            new LocalFileJournalStorageOptions(),
            _services.GetRequiredService<ArrayDictStateSerializer>(),
            NullLogger<ArrayDictJournalGrainStorage>.Instance),
        NullLogger<ArrayDictFullGrainStorage>.Instance);

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    /// <summary>The silo builder the hosting extensions take, over a plain service collection.</summary>
    private sealed class TestSiloBuilder(IServiceCollection services) : ISiloBuilder
    {
        public IServiceCollection Services { get; } = services;

        public IConfiguration Configuration { get; } = new ConfigurationBuilder().Build();
    }

    /// <summary>Passes everything to <paramref name="inner"/> but fails every clear, as a crash before it would.</summary>
    private sealed class FailingClearStorage(IGrainStorage inner) : IGrainStorage
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.WriteStateAsync(stateName, grainId, grainState);

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
            throw new IOException($"Injected: the process stopped before the Full snapshot of {grainId} was removed.");
    }

    /// <summary>Passes everything to <paramref name="inner"/> but fails every delete, as a crash before it would.</summary>
    private sealed class FailingDeleteStore(IArrayDictJournalStore inner) : IArrayDictJournalStore
    {
        public Task<JournalStoreContents?> ReadAsync(string key, CancellationToken cancellationToken) => inner.ReadAsync(key, cancellationToken);

        public Task AppendAsync(string key, JournalPosition expected, ReadOnlyMemory<byte> record, CancellationToken cancellationToken) =>
            inner.AppendAsync(key, expected, record, cancellationToken);

        public Task WriteBaseAsync(string key, JournalPosition? expected, long generation, ReadOnlyMemory<byte> snapshot, CancellationToken cancellationToken) =>
            inner.WriteBaseAsync(key, expected, generation, snapshot, cancellationToken);

        public Task DeleteAsync(string key, JournalPosition? expected, CancellationToken cancellationToken) =>
            throw new IOException($"Injected: the process stopped before the journal '{key}' was deleted.");

        public Task DeleteAnyAsync(string key, CancellationToken cancellationToken) =>
            throw new IOException($"Injected: the process stopped before the journal '{key}' was deleted.");

        public ValueTask ReleaseAsync(string key) => inner.ReleaseAsync(key);
    }
}
