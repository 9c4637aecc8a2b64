using ArrayDictOrleans.Grains;
using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Grains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Serialization;
using Orleans.Storage;

namespace ArrayDictOrleans.Tests.Journal;

/// <summary>Builds journaling storages over local files for tests, sharing one Orleans serializer.</summary>
internal static class JournalTestStorage
{
    public const string StateName = "arraydict";

    private static readonly Lazy<ServiceProvider> Services = new(() =>
    {
        var services = new ServiceCollection();
        services.AddSerializer(serializer => serializer
            .AddAssembly(typeof(ArrayDict).Assembly)
            .AddAssembly(typeof(ArrayDictState).Assembly));
        services.AddSingleton<ArrayDictStateSerializer>();
        return services.BuildServiceProvider();
    });

    public static ArrayDictStateSerializer Serializer => Services.Value.GetRequiredService<ArrayDictStateSerializer>();

    public static string NewDirectory() => Path.Combine(Path.GetTempPath(), "arraydict-journal-tests", Guid.NewGuid().ToString("N"));

    /// <summary>
    /// A storage over <paramref name="directory"/>. A second storage on the same directory stands for another activation
    /// of this process: reading a grain takes it over from the first. Unless told otherwise, writes are not synced to the
    /// disk: these tests are about what a process sees.
    /// </summary>
    public static (ArrayDictJournalGrainStorage Storage, LocalFileJournalStore Store) Create(string directory, LocalFileJournalStorageOptions? options = null)
    {
        options ??= new LocalFileJournalStorageOptions { AllowLostCallsOnMachineCrash = true };
        var store = new LocalFileJournalStore(directory, options);
        var storage = new ArrayDictJournalGrainStorage("journal-test", store, options, Serializer, NullLogger<ArrayDictJournalGrainStorage>.Instance);
        return (storage, store);
    }

    /// <summary>Writes as the grain does: on success, what was recorded is forgotten.</summary>
    public static async Task WriteAsync(IGrainStorage storage, GrainId grainId, TestGrainState grainState)
    {
        await storage.WriteStateAsync(StateName, grainId, grainState);
        grainState.State.PendingDelta?.Reset();
    }

    public static GrainId NewGrainId() => GrainId.Create("arraydict", Guid.NewGuid().ToString("N"));

    public static async Task<TestGrainState> ReadAsync(IGrainStorage storage, GrainId grainId)
    {
        var grainState = new TestGrainState();
        await storage.ReadStateAsync(StateName, grainId, grainState);
        return grainState;
    }

    public static void AssertSameState(ArrayDictState expected, ArrayDictState actual, string because)
    {
        Assert.True(expected.Dict.Width == actual.Dict.Width, $"width {actual.Dict.Width}, expected {expected.Dict.Width}: {because}");
        Assert.True(expected.Dict.ContentEquals(actual.Dict), $"different rows ({actual.Dict.Count} rows, expected {expected.Dict.Count}): {because}");
        Assert.True(expected.LastEpoch == actual.LastEpoch, $"epoch {actual.LastEpoch}, expected {expected.LastEpoch}: {because}");
        Assert.True(Equals(expected.LastResult, actual.LastResult), $"result {actual.LastResult}, expected {expected.LastResult}: {because}");
    }

    public static ArrayDictState Copy(ArrayDictState state) =>
        new(trackChanges: true) { Dict = state.Dict.Clone(), LastEpoch = state.LastEpoch, LastResult = state.LastResult };

    /// <summary>The length of the grain's journal file (it has exactly one).</summary>
    public static long JournalLength(LocalFileJournalStore store, GrainId grainId) =>
        new FileInfo(Assert.Single(Directory.GetFiles(store.GetGrainDirectory(ArrayDictJournalGrainStorage.GetKey(StateName, grainId)), "*" + LocalFileJournalStore.JournalExtension))).Length;

    /// <summary>The write-ahead logs under the provider directory <paramref name="directory"/>.</summary>
    public static string[] LogFiles(string directory)
    {
        string logs = Path.Combine(directory, JournalWriteAheadLog.DirectoryName);
        return Directory.Exists(logs) ? Directory.GetFiles(logs, "*" + JournalWriteAheadLog.Extension) : [];
    }

    public static void DeleteDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
