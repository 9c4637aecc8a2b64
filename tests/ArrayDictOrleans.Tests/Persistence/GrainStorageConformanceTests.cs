using Orleans.Storage;

namespace ArrayDictOrleans.Tests.Persistence;

/// <summary>
/// The behaviour every grain storage provider of this project must have, whatever it stores to and whatever
/// serializer it uses. A derived class supplies the provider (<see cref="Storage"/>), the state type and how to make,
/// compare and damage states; xunit creates one instance per test, so a derived constructor can give every test a
/// fresh store. Every test also uses its own grain id.
/// </summary>
/// <typeparam name="TState">The grain state type the provider is tested with.</typeparam>
public abstract class GrainStorageConformanceTests<TState>
{
    /// <summary>Gets the provider under test.</summary>
    protected abstract IGrainStorage Storage { get; }

    /// <summary>Gets the state name the tests store under.</summary>
    protected virtual string StateName => "conformance";

    /// <summary>Gets the grain type of the grain ids the tests use.</summary>
    protected virtual string GrainType => "conformancegrain";

    /// <summary>Creates a small state whose content depends on <paramref name="seed"/>.</summary>
    protected abstract TState CreateState(int seed);

    /// <summary>Creates a large state: about a million doubles, some megabytes serialized.</summary>
    protected abstract TState CreateLargeState();

    /// <summary>Asserts that two states hold the same data.</summary>
    protected abstract void AssertEquivalent(TState expected, TState actual);

    /// <summary>Asserts that <paramref name="state"/> is the state of a grain that has none stored.</summary>
    protected abstract void AssertIsDefault(TState state);

    /// <summary>Damages the stored payload of the given grain state in the underlying store, keeping its record in place.</summary>
    protected abstract Task CorruptStoredPayloadAsync(string stateName, GrainId grainId);

    /// <summary>Checks the exception a read of a damaged record threw; by default, that it is not an ETag conflict.</summary>
    protected virtual void AssertCorruptionError(Exception exception) =>
        Assert.IsNotType<InconsistentStateException>(exception);

    /// <summary>Creates a grain id no other test uses.</summary>
    protected GrainId NewGrainId() => GrainId.Create(GrainType, Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task GrainStorage_ReadState_NoRecord_ReturnsDefaultStateWithoutETag()
    {
        var grainState = new GrainState<TState>(CreateState(1), "stale-etag") { RecordExists = true };

        await Storage.ReadStateAsync(StateName, NewGrainId(), grainState);

        Assert.NotNull(grainState.State);
        AssertIsDefault(grainState.State);
        Assert.Null(grainState.ETag);
        Assert.False(grainState.RecordExists);
    }

    [Fact]
    public async Task GrainStorage_WriteState_ThenRead_ReturnsWrittenStateAndETag()
    {
        var grainId = NewGrainId();
        var written = new GrainState<TState>(CreateState(2));

        await Storage.WriteStateAsync(StateName, grainId, written);
        var read = await ReadAsync(grainId);

        Assert.False(string.IsNullOrEmpty(written.ETag));
        Assert.True(written.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.True(read.RecordExists);
        AssertEquivalent(CreateState(2), read.State!);
    }

    [Fact]
    public async Task GrainStorage_WriteState_Overwrite_ReadReturnsLatestStateAndNewETag()
    {
        var grainId = NewGrainId();
        var grainState = new GrainState<TState>(CreateState(3));
        await Storage.WriteStateAsync(StateName, grainId, grainState);
        var firstETag = grainState.ETag;

        grainState.State = CreateState(4);
        await Storage.WriteStateAsync(StateName, grainId, grainState);
        var read = await ReadAsync(grainId);

        Assert.NotEqual(firstETag, grainState.ETag);
        Assert.Equal(grainState.ETag, read.ETag);
        AssertEquivalent(CreateState(4), read.State!);
    }

    [Fact]
    public async Task GrainStorage_WriteState_StaleETag_ThrowsInconsistentStateAndKeepsStoredState()
    {
        var grainId = NewGrainId();
        var first = new GrainState<TState>(CreateState(5));
        await Storage.WriteStateAsync(StateName, grainId, first);
        var stale = new GrainState<TState>(CreateState(6), first.ETag);
        await Storage.WriteStateAsync(StateName, grainId, first);

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, grainId, stale));

        var read = await ReadAsync(grainId);
        Assert.Equal(first.ETag, read.ETag);
        AssertEquivalent(CreateState(5), read.State!);
    }

    [Fact]
    public async Task GrainStorage_WriteState_NoETagOverExistingRecord_ThrowsInconsistentState()
    {
        var grainId = NewGrainId();
        await Storage.WriteStateAsync(StateName, grainId, new GrainState<TState>(CreateState(7)));

        await Assert.ThrowsAsync<InconsistentStateException>(
            () => Storage.WriteStateAsync(StateName, grainId, new GrainState<TState>(CreateState(8))));
    }

    [Fact]
    public async Task GrainStorage_WriteState_ETagButNoRecord_ThrowsInconsistentState()
    {
        var grainState = new GrainState<TState>(CreateState(9), "an-etag-that-was-never-stored");

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, NewGrainId(), grainState));
    }

    [Fact]
    public async Task GrainStorage_ClearState_ThenRead_ReturnsDefaultStateWithoutRecord()
    {
        var grainId = NewGrainId();
        var grainState = new GrainState<TState>(CreateState(10));
        await Storage.WriteStateAsync(StateName, grainId, grainState);

        await Storage.ClearStateAsync(StateName, grainId, grainState);
        var read = await ReadAsync(grainId);

        Assert.False(grainState.RecordExists);
        AssertIsDefault(grainState.State!);
        Assert.False(read.RecordExists);
        AssertIsDefault(read.State!);
        Assert.Equal(grainState.ETag, read.ETag);
    }

    [Fact]
    public async Task GrainStorage_ClearState_StaleETag_ThrowsInconsistentStateAndKeepsStoredState()
    {
        var grainId = NewGrainId();
        var grainState = new GrainState<TState>(CreateState(11));
        await Storage.WriteStateAsync(StateName, grainId, grainState);
        var stale = new GrainState<TState>(CreateState(11), grainState.ETag);
        grainState.State = CreateState(12);
        await Storage.WriteStateAsync(StateName, grainId, grainState);

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearStateAsync(StateName, grainId, stale));

        var read = await ReadAsync(grainId);
        Assert.True(read.RecordExists);
        AssertEquivalent(CreateState(12), read.State!);
    }

    [Fact]
    public async Task GrainStorage_ClearState_NoRecord_Succeeds()
    {
        var grainState = new GrainState<TState>(CreateState(13));

        await Storage.ClearStateAsync(StateName, NewGrainId(), grainState);

        Assert.False(grainState.RecordExists);
        AssertIsDefault(grainState.State!);
    }

    [Fact]
    public async Task GrainStorage_WriteState_AfterClear_StoresNewState()
    {
        var grainId = NewGrainId();
        var grainState = new GrainState<TState>(CreateState(14));
        await Storage.WriteStateAsync(StateName, grainId, grainState);
        await Storage.ClearStateAsync(StateName, grainId, grainState);

        grainState.State = CreateState(15);
        await Storage.WriteStateAsync(StateName, grainId, grainState);
        var read = await ReadAsync(grainId);

        Assert.True(read.RecordExists);
        Assert.Equal(grainState.ETag, read.ETag);
        AssertEquivalent(CreateState(15), read.State!);
    }

    [Fact]
    public async Task GrainStorage_WriteState_LargeState_RoundTrips()
    {
        var grainId = NewGrainId();
        var grainState = new GrainState<TState>(CreateLargeState());

        await Storage.WriteStateAsync(StateName, grainId, grainState);
        var read = await ReadAsync(grainId);

        Assert.Equal(grainState.ETag, read.ETag);
        AssertEquivalent(CreateLargeState(), read.State!);
    }

    [Fact]
    public async Task GrainStorage_ReadState_CorruptedPayload_ThrowsAndLeavesGrainStateUnchanged()
    {
        var grainId = NewGrainId();
        await Storage.WriteStateAsync(StateName, grainId, new GrainState<TState>(CreateLargeState()));
        await CorruptStoredPayloadAsync(StateName, grainId);
        var original = CreateState(16);
        var grainState = new GrainState<TState>(original, "etag-before-read") { RecordExists = true };

        var exception = await Assert.ThrowsAnyAsync<Exception>(() => Storage.ReadStateAsync(StateName, grainId, grainState));

        AssertCorruptionError(exception);
        AssertEquivalent(CreateState(16), grainState.State!);
        Assert.Equal("etag-before-read", grainState.ETag);
        Assert.True(grainState.RecordExists);
    }

    [Fact]
    public async Task GrainStorage_WriteState_DifferentGrainsAndStateNames_AreIndependent()
    {
        var grainA = NewGrainId();
        var grainB = NewGrainId();
        await Storage.WriteStateAsync(StateName, grainA, new GrainState<TState>(CreateState(17)));
        await Storage.WriteStateAsync(StateName, grainB, new GrainState<TState>(CreateState(18)));
        await Storage.WriteStateAsync(StateName + "-other", grainA, new GrainState<TState>(CreateState(19)));

        AssertEquivalent(CreateState(17), (await ReadAsync(grainA)).State!);
        AssertEquivalent(CreateState(18), (await ReadAsync(grainB)).State!);
        AssertEquivalent(CreateState(19), (await ReadAsync(grainA, StateName + "-other")).State!);
    }

    [Fact]
    public async Task GrainStorage_WriteState_ConcurrentWritersWithSameETag_ExactlyOneWins()
    {
        const int Writers = 8;
        var grainId = NewGrainId();
        var initial = new GrainState<TState>(CreateState(20));
        await Storage.WriteStateAsync(StateName, grainId, initial);

        var writers = Enumerable.Range(0, Writers)
            .Select(i => new GrainState<TState>(CreateState(100 + i), initial.ETag))
            .ToArray();
        var outcomes = await Task.WhenAll(writers.Select(async writer =>
        {
            try
            {
                await Storage.WriteStateAsync(StateName, grainId, writer);
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        }));

        Assert.Single(outcomes, won => won);
        var winner = writers[Array.IndexOf(outcomes, true)];
        var read = await ReadAsync(grainId);
        Assert.Equal(winner.ETag, read.ETag);
        AssertEquivalent(winner.State!, read.State!);
    }

    /// <summary>Reads a grain state into a fresh <see cref="GrainState{T}"/>.</summary>
    protected async Task<GrainState<TState>> ReadAsync(GrainId grainId, string? stateName = null)
    {
        var grainState = new GrainState<TState>();
        await Storage.ReadStateAsync(stateName ?? StateName, grainId, grainState);
        return grainState;
    }
}
