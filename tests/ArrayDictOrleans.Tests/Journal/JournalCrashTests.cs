using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Tests.Persistence;
using static ArrayDictOrleans.Tests.Journal.JournalTestStorage;

namespace ArrayDictOrleans.Tests.Journal;

/// <summary>
/// Random call sequences against the local-file journal, with a crash injected at one storage step (before or in
/// the middle of an append, after it, between the steps of a compaction, during a delete): recovery from what is
/// stored gives the state after the last write that returned, or, when the crash came after the write's commit
/// point (it landed, only its return was lost), the state that write carried. The run then goes on from the
/// recovered state, and its final state reads back exactly.
/// </summary>
public sealed class JournalCrashTests : IDisposable
{
    /// <summary>Steps after which the write is in storage although it did not return.</summary>
    private static readonly HashSet<string> AfterCommit = ["append:after", "base:renamed", "base:dropping-old"];

    private readonly string _directory = NewDirectory();

    public void Dispose() => DeleteDirectory(_directory);

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (int seed = 0; seed < 40; seed++)
        {
            data.Add(seed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Journal_RandomCallsWithCrashAtAnyStep_RecoversLastReturnedWrite(int seed)
    {
        var random = new Random(seed);
        var options = new LocalFileJournalStorageOptions { AllowLostCallsOnMachineCrash = true, CompactionMinBytes = 1500, CompactionRatio = 0.25, MaxRecords = 3 + (seed % 4) };
        var (storage, store) = Create(_directory, options);
        var grainId = NewGrainId();
        int crashAt = random.Next(1, 50);
        int steps = 0;
        string? crashedAt = null;
        store.FaultPoint = step =>
        {
            if (++steps == crashAt)
            {
                crashedAt = step;
                throw new SimulatedCrashException(step);
            }
        };

        var grainState = await ReadAsync(storage, grainId);
        var durable = Copy(grainState.State);
        long nextKey = 0;
        int crashes = 0;
        for (int call = 0; call < 30; call++)
        {
            var state = grainState.State;
            using var scope = state.Dict.BeginChanges();
            RandomCall(state.Dict, random, ref nextKey);
            state.PendingDelta!.Record(scope);
            state.LastEpoch = call;
            state.LastResult = TestKeptResults.Of(call * 1.5);
            try
            {
                await WriteAsync(storage, grainId, grainState);
            }
            catch (ArrayDictJournalStorageException exception) when (exception.InnerException is SimulatedCrashException)
            {
                crashes++;
                var attempted = Copy(state);
                store.FaultPoint = null;

                // The process is gone: a new activation on a new storage instance reads what is stored.
                var (recoveredBy, _) = Create(_directory, options);
                var recovered = await ReadAsync(recoveredBy, grainId);
                if (AfterCommit.Contains(crashedAt!) && attempted.LastEpoch == recovered.State.LastEpoch)
                {
                    AssertSameState(attempted, recovered.State, $"seed {seed}, crash after {crashedAt} (the write had landed)");
                    durable = attempted;
                }
                else
                {
                    AssertSameState(durable, recovered.State, $"seed {seed}, crash at {crashedAt}");
                }

                storage = recoveredBy;
                grainState = recovered;
                continue;
            }

            scope.Commit();
            durable = Copy(state);
        }

        Assert.Equal(1, crashes);
        var final = await ReadAsync(Create(_directory, options).Storage, grainId);
        AssertSameState(durable, final.State, $"seed {seed}, final read (crash at step {crashAt}: {crashedAt ?? "none"})");
    }

    public static TheoryData<string, int> ClearSteps() => new()
    {
        { "delete:renaming", 1 },
        { "delete:renamed", 1 },
        { "delete:dropping", 1 },
        { "delete:dropping", 2 },
    };

    [Theory]
    [MemberData(nameof(ClearSteps))]
    public async Task Journal_CrashAtEachStepOfClear_ReadsOldOrEmptyAndClearCanBeRepeated(string step, int occurrence)
    {
        var (storage, store) = Create(_directory, new LocalFileJournalStorageOptions { AllowLostCallsOnMachineCrash = true, MaxRecords = 2 });
        var grainId = NewGrainId();
        var grainState = await ReadAsync(storage, grainId);
        long nextKey = 0;
        for (int call = 0; call < 4; call++)
        {
            using var scope = grainState.State.Dict.BeginChanges();
            RandomCall(grainState.State.Dict, new Random(call), ref nextKey);
            grainState.State.PendingDelta!.Record(scope);
            grainState.State.LastEpoch = call;
            await WriteAsync(storage, grainId, grainState);
            scope.Commit();
        }

        var old = Copy(grainState.State);
        int seen = 0;
        store.FaultPoint = at =>
        {
            if (at == step && ++seen == occurrence)
            {
                throw new SimulatedCrashException(at);
            }
        };

        var thrown = await Record.ExceptionAsync(() => storage.ClearStateAsync(StateName, grainId, grainState));
        store.FaultPoint = null;
        Assert.True(thrown is not null, $"no crash at {step} #{occurrence}: the clear has fewer steps");
        Assert.IsType<SimulatedCrashException>(thrown.GetBaseException());

        // The process is gone: what is stored reads as the old state (crash before the rename) or as nothing, never as damage.
        var (again, _) = Create(_directory);
        var read = await ReadAsync(again, grainId);
        if (step == "delete:renaming")
        {
            AssertSameState(old, read.State, $"crash at {step}: before the commit point");
            Assert.True(read.RecordExists);
        }
        else
        {
            Assert.False(read.RecordExists, $"crash at {step}: after the commit point the grain is cleared");
            Assert.Equal(0, read.State.Dict.Count);
        }

        await again.ClearStateAsync(StateName, grainId, read);
        var cleared = await ReadAsync(Create(_directory).Storage, grainId);
        Assert.False(cleared.RecordExists);
        var grainDirectory = store.GetGrainDirectory(ArrayDictJournalGrainStorage.GetKey(StateName, grainId));
        Assert.False(Directory.Exists(grainDirectory), "the repeated clear leaves no directory of the grain");
        Assert.False(Directory.Exists(grainDirectory + LocalFileJournalStore.ClearingSuffix), "nor what the interrupted clear renamed away");
    }

    [Fact]
    public async Task Journal_ClearLeftRenamedDirectory_FirstBaseDeletesItAndReadsOnlyTheNewState()
    {
        var (storage, store) = Create(_directory);
        var grainId = NewGrainId();
        var grainState = await ReadAsync(storage, grainId);
        grainState.State.Dict[1] = 1;
        await WriteAsync(storage, grainId, grainState);
        store.FaultPoint = at =>
        {
            if (at == "delete:renamed")
            {
                throw new SimulatedCrashException(at);
            }
        };
        await Assert.ThrowsAnyAsync<Exception>(() => storage.ClearStateAsync(StateName, grainId, grainState));
        store.FaultPoint = null;
        var grainDirectory = store.GetGrainDirectory(ArrayDictJournalGrainStorage.GetKey(StateName, grainId));
        Assert.True(Directory.Exists(grainDirectory + LocalFileJournalStore.ClearingSuffix));

        var (again, _) = Create(_directory);
        var read = await ReadAsync(again, grainId);
        read.State.Dict[2] = 2;
        await WriteAsync(again, grainId, read);

        Assert.False(Directory.Exists(grainDirectory + LocalFileJournalStore.ClearingSuffix), "the first base deletes what the clear left");
        var final = await ReadAsync(Create(_directory).Storage, grainId);
        Assert.Equal(1, final.State.Dict.Count);
        Assert.Equal(2, final.State.Dict[2]);
    }

    /// <summary>A call: updates, appends, removals, and now and then a compaction of the ArrayDict (a change of every row).</summary>
    internal static void RandomCall(ArrayDict dict, Random random, ref long nextKey)
    {
        int operations = random.Next(1, 12);
        for (int i = 0; i < operations; i++)
        {
            int kind = random.Next(10);
            if (kind < 4 && dict.Count > 0)
            {
                long key = dict.RowKeys[random.Next(dict.RowLimit)];
                if (dict.ContainsKey(key))
                {
                    dict[key] = random.Next(1000) * 0.25;
                }
            }
            else if (kind < 8)
            {
                dict[nextKey++ * 7] = random.Next(1000) * 0.5;
            }
            else if (kind < 9 && dict.Count > 0)
            {
                dict.Remove(dict.RowKeys[random.Next(dict.RowLimit)]);
            }
            else if (random.Next(5) == 0)
            {
                dict.Compact();
            }
        }
    }

    private sealed class SimulatedCrashException(string step) : Exception($"Simulated crash at {step}.");
}
