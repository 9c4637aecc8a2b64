using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Tests.Persistence;
using Orleans.Storage;

namespace ArrayDictOrleans.Tests.Journal;

/// <summary>
/// The storage conformance suite (and the ArrayDict-state checks) against the journaling storage over local files.
/// A write of a fresh state is a base snapshot, so the "payload" is the base file.
/// </summary>
public sealed class ArrayDictStateLocalJournalTests : ArrayDictStateStorageTests, IDisposable
{
    private readonly string _directory = JournalTestStorage.NewDirectory();
    private readonly ArrayDictJournalGrainStorage _storage;
    private readonly LocalFileJournalStore _store;

    public ArrayDictStateLocalJournalTests() => (_storage, _store) = JournalTestStorage.Create(_directory);

    /// <inheritdoc />
    protected override IGrainStorage Storage => _storage;

    public void Dispose() => JournalTestStorage.DeleteDirectory(_directory);

    /// <inheritdoc />
    protected override Task<byte[]> ReadStoredPayloadAsync(string stateName, GrainId grainId) =>
        File.ReadAllBytesAsync(BasePath(stateName, grainId));

    /// <inheritdoc />
    protected override Task<long> GetStoredSizeAsync(string stateName, GrainId grainId) =>
        Task.FromResult(Directory.EnumerateFiles(GrainDirectory(stateName, grainId)).Sum(path => new FileInfo(path).Length));

    /// <inheritdoc />
    protected override Task ReplaceStoredPayloadAsync(string stateName, GrainId grainId, byte[] payload) =>
        File.WriteAllBytesAsync(BasePath(stateName, grainId), payload);

    /// <inheritdoc />
    protected override async Task CorruptStoredPayloadAsync(string stateName, GrainId grainId)
    {
        var path = BasePath(stateName, grainId);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[bytes.Length / 2] ^= 0x5A;
        await File.WriteAllBytesAsync(path, bytes);
    }

    /// <summary>The journal storage reports a damaged base as its own exception with the snapshot error inside.</summary>
    protected override void AssertSnapshotError(Exception exception, string expectedMessagePart)
    {
        var storageError = Assert.IsType<ArrayDictJournalStorageException>(exception);
        var snapshotError = Assert.IsType<SnapshotFormatException>(storageError.InnerException);
        Assert.Contains(expectedMessagePart, snapshotError.Message, StringComparison.Ordinal);
    }

    private string GrainDirectory(string stateName, GrainId grainId) =>
        _store.GetGrainDirectory(ArrayDictJournalGrainStorage.GetKey(stateName, grainId));

    private string BasePath(string stateName, GrainId grainId) =>
        Assert.Single(Directory.GetFiles(GrainDirectory(stateName, grainId), "*" + LocalFileJournalStore.BaseExtension));
}
