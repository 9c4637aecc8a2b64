using ArrayDictOrleans.Methods;
using ArrayDictOrleans.Silo.Hosting;
using ArrayDictOrleans.Tests.Azure;

namespace ArrayDictOrleans.Tests.Clear;

/// <summary>
/// An ArrayDict whose stored state cannot be read (a Full snapshot whose checksum fails, a journal without its base, a
/// base whose checksum fails), through the grain on every storage and mode: it activates damaged, refuses every call but
/// a forced clear with the read error and changes nothing stored; a repair by hand is read by the next call; a forced
/// clear deletes the damaged state and leaves a usable, empty ArrayDict.
/// </summary>
public abstract class DamagedStateTests(ClearClusters clusters)
{
    public static TheoryData<SnapshotMode> Modes() => [SnapshotMode.Full, SnapshotMode.Journal];

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task DamagedState_EveryCallButForceClear_FailsWithTheReadErrorAndChangesNothing(SnapshotMode mode)
    {
        var cluster = await clusters.GetAsync(mode);
        var grain = await FilledAndDamagedAsync(cluster, mode);
        long id = grain.GetPrimaryKeyLong();
        var damaged = await clusters.Place.ReadStoredAsync(grain.GetGrainId());

        Func<Task>[] calls =
        [
            grain.GetInfoAsync,
            () => grain.GetValueAsync(1),
            () => grain.SetValueAsync(9, 9),
            () => grain.ApplyAsync(new ScaleMethod(2), epoch: 3),
            () => grain.ClearAsync(),
            grain.CheckpointAsync,
            () => grain.ImportAsync(new ArrayDict()),
            () => grain.ExportPageAsync(0, 10),
        ];
        string? readError = null;
        foreach (var call in calls)
        {
            var refused = await Assert.ThrowsAsync<ArrayDictDamagedException>(call);
            Assert.Equal(id, refused.ArrayDictId);
            Assert.Contains($"arraydict clear {id} --force", refused.Message, StringComparison.Ordinal);
            Assert.NotNull(refused.InnerException);
            Assert.Contains(refused.InnerException.Message, refused.Message, StringComparison.Ordinal);
            Assert.True(ChainHas<SnapshotFormatException>(refused) || ChainHas<InvalidDataException>(refused), $"no snapshot or data error in the chain of {refused}");
            readError ??= refused.InnerException.Message;
        }

        AssertSameStored(damaged, await clusters.Place.ReadStoredAsync(grain.GetGrainId()), "refused calls change nothing stored");

        Assert.Equal(readError, await grain.ForceClearAsync());
        var info = await grain.GetInfoAsync();
        Assert.Equal(0, info.Count);
        Assert.Null(info.LastAppliedEpoch);
        var left = await clusters.Place.StoredAsync(grain.GetGrainId());
        Assert.True(left.Count == 0, $"still stored after the forced clear: {string.Join(", ", left)}");

        await grain.SetValueAsync(5, 2.5);
        await cluster.Cluster.DeactivateAsync(grain);
        Assert.Equal(2.5, await grain.GetValueAsync(5));
        Assert.Equal(1, (await grain.GetInfoAsync()).Count);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task DamagedState_RepairedByHand_NextCallReadsTheRepairedState(SnapshotMode mode)
    {
        var cluster = await clusters.GetAsync(mode);
        var grain = cluster.NewGrain();
        await grain.SetManyAsync(new RowBatch(1, [1, 2, 3], [1.5, 2.5, 3.5]));
        await grain.ApplyAsync(new ScaleMethod(2), epoch: 1);
        await cluster.Cluster.DeactivateAsync(grain);
        var intact = await clusters.Place.ReadStoredAsync(grain.GetGrainId());
        await clusters.Place.DamageAsync(grain.GetGrainId(), mode);
        await Assert.ThrowsAsync<ArrayDictDamagedException>(() => grain.GetValueAsync(1));

        await clusters.Place.RestoreAsync(intact);

        Assert.Equal(3.0, await grain.GetValueAsync(1));
        Assert.Equal(1, (await grain.GetInfoAsync()).LastAppliedEpoch);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task ForceClearAsync_ReadableState_ClearsLikeClearAndReturnsNull(SnapshotMode mode)
    {
        var cluster = await clusters.GetAsync(mode);
        var grain = cluster.NewGrain();
        await grain.SetManyAsync(new RowBatch(1, [1, 2, 3], [1.5, 2.5, 3.5]));
        await grain.ApplyAsync(new ScaleMethod(2), epoch: 1);

        Assert.Null(await grain.ForceClearAsync(width: 2));

        var info = await grain.GetInfoAsync();
        Assert.Equal((0, 2, (long?)null), (info.Count, info.Width, info.LastAppliedEpoch));
        var left = await clusters.Place.StoredAsync(grain.GetGrainId());
        Assert.True(left.Count == 0, $"still stored after the forced clear: {string.Join(", ", left)}");
    }

    [Fact]
    public async Task DamagedState_EveryMethodOfTheInterfaceButForceClear_IsRefused()
    {
        var cluster = await clusters.GetAsync(SnapshotMode.Journal);
        var grain = await FilledAndDamagedAsync(cluster, SnapshotMode.Journal);
        var damaged = await clusters.Place.ReadStoredAsync(grain.GetGrainId());
        var methods = typeof(IArrayDictGrain).GetMethods().Where(m => m.Name != nameof(IArrayDictGrain.ForceClearAsync)).ToArray();

        // Whatever the arguments (defaults and nulls here), a damaged ArrayDict refuses before it looks at them.
        foreach (var method in methods)
        {
            var call = method.IsGenericMethodDefinition ? method.MakeGenericMethod(typeof(double)) : method;
            object?[] arguments = [.. call.GetParameters().Select(p => p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null)];
            var refused = await Assert.ThrowsAsync<ArrayDictDamagedException>(() => (Task)call.Invoke(grain, arguments)!);
            Assert.Equal(grain.GetPrimaryKeyLong(), refused.ArrayDictId);
        }

        Assert.True(methods.Length >= 21, $"only {methods.Length} methods found on {nameof(IArrayDictGrain)}");
        AssertSameStored(damaged, await clusters.Place.ReadStoredAsync(grain.GetGrainId()), "refused calls change nothing stored");
    }

    private async Task<IArrayDictGrain> FilledAndDamagedAsync(StorageCluster cluster, SnapshotMode mode)
    {
        var grain = cluster.NewGrain();
        await grain.SetManyAsync(new RowBatch(1, [1, 2, 3], [1.5, 2.5, 3.5]));
        await grain.ApplyAsync(new ScaleMethod(2), epoch: 1);
        await grain.SetValueAsync(4, 4.5);
        await cluster.Cluster.DeactivateAsync(grain);
        await clusters.Place.DamageAsync(grain.GetGrainId(), mode);
        return grain;
    }

    private static bool ChainHas<T>(Exception exception)
        where T : Exception
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is T)
            {
                return true;
            }
        }

        return false;
    }

    private static void AssertSameStored(Dictionary<string, byte[]> expected, Dictionary<string, byte[]> actual, string because)
    {
        Assert.True(expected.Keys.Order().SequenceEqual(actual.Keys.Order()), $"{because}: stored [{string.Join(", ", expected.Keys)}], now [{string.Join(", ", actual.Keys)}]");
        foreach (var (name, bytes) in expected)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(actual[name]), $"{because}: {name} changed");
        }
    }
}

public sealed class LocalDamagedStateTests(LocalClearClusters clusters) : DamagedStateTests(clusters), IClassFixture<LocalClearClusters>;

[Collection(AzuriteCollection.Name)]
public sealed class AzureDamagedStateTests(AzureClearClusters clusters) : DamagedStateTests(clusters), IClassFixture<AzureClearClusters>;
