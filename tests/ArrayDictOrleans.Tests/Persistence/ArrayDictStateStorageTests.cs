using System.Text;
using ArrayDictOrleans.Grains;
using ArrayDictOrleans.Grains.Persistence;
using ArrayDictOrleans.Workload;
using Orleans.Storage;

namespace ArrayDictOrleans.Tests.Persistence;

/// <summary>
/// <see cref="ArrayDictState"/>, the grain's persisted state, through a storage provider configured with
/// <see cref="ArrayDictStateSerializer"/> as the grains configure it: the conformance suite (with a million-row state of
/// width 1), plus the size of what is stored and the errors a damaged snapshot gives. A derived class supplies the
/// provider and access to what it stored.
/// </summary>
public abstract class ArrayDictStateStorageTests : GrainStorageConformanceTests<ArrayDictState>
{
    /// <summary>The rows of the large state: a million, of width 1.</summary>
    protected const int LargeRows = 1_000_000;

    /// <summary>The bytes a row of width 1 takes in a snapshot: its key and its value.</summary>
    protected const int BytesPerScalarRow = sizeof(long) + sizeof(double);

    /// <inheritdoc />
    protected override string StateName => "arraydict";

    /// <inheritdoc />
    protected override string GrainType => "arraydict";

    /// <summary>Gets the bytes the serializer wrote for the record, without whatever framing the store adds.</summary>
    protected abstract Task<byte[]> ReadStoredPayloadAsync(string stateName, GrainId grainId);

    /// <summary>Gets the number of bytes the store keeps for the record, framing included.</summary>
    protected abstract Task<long> GetStoredSizeAsync(string stateName, GrainId grainId);

    /// <summary>
    /// Replaces the stored payload of an existing record by <paramref name="payload"/> so that every check of the store
    /// itself passes (lengths, the store's own checksums): only the snapshot format can tell what is wrong.
    /// </summary>
    protected abstract Task ReplaceStoredPayloadAsync(string stateName, GrainId grainId, byte[] payload);

    /// <summary>
    /// Checks how the provider reports a snapshot the serializer refused. By default, that the
    /// <see cref="SnapshotFormatException"/> is somewhere in the chain of exceptions.
    /// </summary>
    protected virtual void AssertSnapshotError(Exception exception, string expectedMessagePart)
    {
        var snapshotError = FindInChain<SnapshotFormatException>(exception);
        Assert.True(snapshotError is not null, $"No SnapshotFormatException in the chain of {exception}");
        Assert.Contains(expectedMessagePart, snapshotError.Message, StringComparison.Ordinal);
    }

    /// <summary>By default, a damaged snapshot is reported by the snapshot format: its checksum does not match.</summary>
    protected override void AssertCorruptionError(Exception exception)
    {
        base.AssertCorruptionError(exception);
        AssertSnapshotError(exception, "checksum");
    }

    /// <inheritdoc />
    protected override ArrayDictState CreateState(int seed)
    {
        int width = 1 + (seed % 3);
        int rows = 20 + seed;
        var dict = new ArrayDict(width);
        var row = new double[width];
        for (int j = 0; j < rows; j++)
        {
            for (int c = 0; c < width; c++)
            {
                row[c] = seed + j + (c / 10.0);
            }

            dict.Add((seed * 1000L) + (j * 7L) - 50, row);
        }

        // Freed rows, which the snapshot leaves out.
        dict.Remove((seed * 1000L) - 50);
        dict.Remove((seed * 1000L) + 20);
        return new ArrayDictState
        {
            Dict = dict,
            LastEpoch = seed,
            LastResult = seed % 2 == 0 ? TestKeptResults.Of(new Sw1StepResult(seed * 1.5, dict.Count, Done: seed > 100)) : TestKeptResults.Of(seed * 0.25),
        };
    }

    /// <inheritdoc />
    protected override ArrayDictState CreateLargeState()
    {
        var dict = new ArrayDict(1, LargeRows);
        for (int j = 0; j < LargeRows; j++)
        {
            dict.Add((j * 3L) - 1_000_000, (j * 0.5) - 1000.125);
        }

        return new ArrayDictState { Dict = dict, LastEpoch = 41, LastResult = TestKeptResults.Of(new Sw1StepResult(123.5, LargeRows, Done: false)) };
    }

    /// <inheritdoc />
    protected override void AssertEquivalent(ArrayDictState expected, ArrayDictState actual)
    {
        Assert.Equal(expected.Dict.Width, actual.Dict.Width);
        Assert.Equal(expected.Dict.Count, actual.Dict.Count);
        Assert.True(expected.Dict.ContentEquals(actual.Dict), "the ArrayDicts hold different keys or values");
        Assert.Equal(expected.LastEpoch, actual.LastEpoch);
        Assert.Equal(expected.LastResult, actual.LastResult);
    }

    /// <inheritdoc />
    protected override void AssertIsDefault(ArrayDictState state)
    {
        Assert.Equal(0, state.Dict.Count);
        Assert.Equal(1, state.Dict.Width);
        Assert.Null(state.LastEpoch);
        Assert.Null(state.LastResult);
    }

    [Fact]
    public async Task ArrayDictState_WriteState_MillionScalarRows_StoresSixteenBytesPerRowAsSnapshot()
    {
        var grainId = NewGrainId();
        var grainState = new GrainState<ArrayDictState>(CreateLargeState());

        await Storage.WriteStateAsync(StateName, grainId, grainState);

        var payload = await ReadStoredPayloadAsync(StateName, grainId);
        var stored = await GetStoredSizeAsync(StateName, grainId);
        Assert.True(payload.AsSpan().StartsWith(ArrayDictSnapshot.Magic), $"the payload starts with {Convert.ToHexString(payload.AsSpan(0, 8))}, not the ArrayDict snapshot signature");
        long rowBytes = (long)BytesPerScalarRow * LargeRows;
        Assert.InRange(payload.LongLength, rowBytes + ArrayDictSnapshot.Overhead, rowBytes + 1024);
        Assert.InRange(stored, payload.LongLength, payload.LongLength + 1024);
        Assert.InRange(stored / (double)LargeRows, 16.0, 16.002);
    }

    [Fact]
    public async Task ArrayDictState_WriteState_EmptyDictWithEpoch_ReadsBackAsRecord()
    {
        var grainId = NewGrainId();
        var written = new ArrayDictState { Dict = new ArrayDict(4), LastEpoch = 9, LastResult = TestKeptResults.Of(2.5) };
        await Storage.WriteStateAsync(StateName, grainId, new GrainState<ArrayDictState>(written));

        var read = await ReadAsync(grainId);

        Assert.True(read.RecordExists);
        AssertEquivalent(written, read.State!);
    }

    [Fact]
    public async Task ArrayDictState_ReadState_SnapshotChecksumMismatch_ThrowsSnapshotFormatErrorAndKeepsGrainState()
    {
        var grainId = NewGrainId();
        var payload = await WriteAndReadPayloadAsync(grainId);
        payload[payload.Length / 2] ^= 0x5A;
        await ReplaceStoredPayloadAsync(StateName, grainId, payload);

        var exception = await AssertReadFailsAndKeepsGrainStateAsync(grainId);

        AssertSnapshotError(exception, "checksum");
    }

    [Fact]
    public async Task ArrayDictState_ReadState_TruncatedSnapshot_ThrowsSnapshotFormatErrorAndKeepsGrainState()
    {
        var grainId = NewGrainId();
        var payload = await WriteAndReadPayloadAsync(grainId);
        await ReplaceStoredPayloadAsync(StateName, grainId, payload[..(payload.Length - 100)]);

        var exception = await AssertReadFailsAndKeepsGrainStateAsync(grainId);

        AssertSnapshotError(exception, "truncated");
    }

    [Fact]
    public async Task ArrayDictState_ReadState_JsonInsteadOfSnapshot_ThrowsSnapshotFormatErrorAndKeepsGrainState()
    {
        var grainId = NewGrainId();
        await WriteAndReadPayloadAsync(grainId);
        var json = Encoding.UTF8.GetBytes("""{"Dict":{"Width":1,"Keys":[1,2],"Values":[0.5,1.5]},"LastEpoch":3,"LastResult":null}""");
        await ReplaceStoredPayloadAsync(StateName, grainId, json);

        var exception = await AssertReadFailsAndKeepsGrainStateAsync(grainId);

        AssertSnapshotError(exception, "not an ArrayDict snapshot");
    }

    private async Task<byte[]> WriteAndReadPayloadAsync(GrainId grainId)
    {
        await Storage.WriteStateAsync(StateName, grainId, new GrainState<ArrayDictState>(CreateState(30)));
        return await ReadStoredPayloadAsync(StateName, grainId);
    }

    /// <summary>Reads into a grain state that holds other data; the read must throw and leave that data, ETag and flag as they were.</summary>
    private async Task<Exception> AssertReadFailsAndKeepsGrainStateAsync(GrainId grainId)
    {
        var grainState = new GrainState<ArrayDictState>(CreateState(31), "etag-before-read") { RecordExists = true };

        var exception = await Assert.ThrowsAnyAsync<Exception>(() => Storage.ReadStateAsync(StateName, grainId, grainState));

        Assert.IsNotType<InconsistentStateException>(exception);
        AssertEquivalent(CreateState(31), grainState.State!);
        Assert.Equal("etag-before-read", grainState.ETag);
        Assert.True(grainState.RecordExists);
        return exception;
    }

    private static TException? FindInChain<TException>(Exception exception)
        where TException : Exception
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is TException found)
            {
                return found;
            }
        }

        return null;
    }
}
