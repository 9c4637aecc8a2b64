using ArrayDictOrleans.Grains.Journal;

namespace ArrayDictOrleans.Tests.Journal;

/// <summary>
/// A test class whose journal stores share a directory of its own, synced by default as a silo's are: every store it
/// opened is disposed after each test, then the directory is deleted.
/// </summary>
public abstract class JournalDirectoryTests : IDisposable
{
    private readonly string _directory = JournalTestStorage.NewDirectory();
    private readonly List<LocalFileJournalStore> _stores = [];

    /// <summary>Disposes the stores, then deletes the directory.</summary>
    public void Dispose()
    {
        _stores.ForEach(store => store.Dispose());
        JournalTestStorage.DeleteDirectory(_directory);
        GC.SuppressFinalize(this);
    }

    /// <summary>A storage and its store over the directory; another one stands for another activation of this process.</summary>
    protected (ArrayDictJournalGrainStorage Storage, LocalFileJournalStore Store) Open(LocalFileJournalStorageOptions? options = null)
    {
        var opened = JournalTestStorage.Create(_directory, options ?? new LocalFileJournalStorageOptions());
        _stores.Add(opened.Store);
        return opened;
    }

    /// <summary>The write-ahead logs in the directory.</summary>
    protected string[] LogFiles() => JournalTestStorage.LogFiles(_directory);
}
