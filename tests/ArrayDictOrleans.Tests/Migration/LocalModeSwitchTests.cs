using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Grains.Persistence;
using static ArrayDictOrleans.Tests.Journal.JournalTestStorage;

namespace ArrayDictOrleans.Tests.Migration;

/// <summary>Switching modes on local files: <c>AddArrayDictLocalStorage</c> and <c>AddArrayDictLocalJournalStorage</c> on one data directory.</summary>
public sealed class LocalModeSwitchTests : ModeSwitchTests, IDisposable
{
    private const string ProviderDirectoryName = "arraydict";

    private readonly string _dataDirectory = NewDirectory();

    public void Dispose() => DeleteDirectory(_dataDirectory);

    [Fact]
    public async Task ModeSwitch_FullModeReadsGrainWithNothingStored_TouchesNoJournalFiles()
    {
        var grainId = NewGrainId();
        await using (var full = await StartFullAsync())
        {
            var read = await ReadAsync(full.Storage, grainId);
            Assert.False(read.RecordExists);
        }

        Assert.False(Directory.Exists(JournalDirectory(grainId)), "looking for a journal creates nothing");
        Assert.False(Directory.Exists(Path.Combine(_dataDirectory, ProviderDirectoryName, LocalFileLeases.DirectoryName)), "and takes no lease");
    }

    private protected override Task<ModeStorage> StartFullAsync() =>
        ModeStorage.StartAsync(silo => silo.AddArrayDictLocalStorage(_dataDirectory, flushToDisk: false));

    private protected override Task<ModeStorage> StartJournalAsync() =>
        ModeStorage.StartAsync(silo => silo.AddArrayDictLocalJournalStorage(_dataDirectory, journal => journal.AllowLostCallsOnMachineCrash = true));

    protected override Task<bool> FullSnapshotExistsAsync(GrainId grainId) =>
        Task.FromResult(File.Exists(Path.Combine(
            _dataDirectory,
            ProviderDirectoryName,
            LocalFileNames.Escape(StateName),
            LocalFileNames.Escape(grainId.Type.ToString()!),
            LocalFileNames.Escape(grainId.Key.ToString()!) + LocalFileGrainStorage.StateFileExtension)));

    protected override Task<bool> JournalExistsAsync(GrainId grainId)
    {
        var directory = JournalDirectory(grainId);
        return Task.FromResult(Directory.Exists(directory) && Directory.EnumerateFiles(directory)
            .Any(path => path.EndsWith(LocalFileJournalStore.BaseExtension, StringComparison.Ordinal) || path.EndsWith(LocalFileJournalStore.JournalExtension, StringComparison.Ordinal)));
    }

    private string JournalDirectory(GrainId grainId) =>
        Path.Combine(_dataDirectory, ProviderDirectoryName, ArrayDictJournalGrainStorage.GetKey(StateName, grainId));
}
