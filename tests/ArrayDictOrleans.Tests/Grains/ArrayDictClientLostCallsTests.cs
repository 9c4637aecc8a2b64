using ArrayDictOrleans.Client;
using ArrayDictOrleans.Tests.Workload;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Tests.Grains;

/// <summary>
/// The loop against grains that lose calls which had returned: with PersistEvery 0 nothing is written until a checkpoint
/// or a deactivation, and here the deactivation's write fails, so the grain comes back at an older epoch, as after a crash.
/// </summary>
[Collection(CheckpointOnlyClusterCollection.Name)]
public sealed class ArrayDictClientLostCallsTests(CheckpointOnlyClusterFixture fixture)
{
    private static readonly Sw1Parameters Parameters = new(Objects: 6, Rows: 100, Updates: 20, Appends: 3, Budget: 6, Width: 1);

    [Fact]
    public async Task ArrayDictClient_RunUntilDoneAsync_GrainLostReturnedCalls_ReplayableStepReplayedToTheExactResult()
    {
        var (first, victim, runKey) = await RunLosingTheVictimsCallsAsync((client, keys, step) =>
            client.RunUntilDoneAsync(keys, step, result => result.Done, stepIsReplayable: true));

        for (int i = 0; i < Parameters.Objects; i++)
        {
            for (int t = 0; t < Parameters.CallsFor(i); t++)
            {
                // The victim's epochs 0 to 2 were lost after they returned, and replayed once; every other step ran once.
                int runs = first + i == victim && t <= 2 ? 2 : 1;
                Assert.True(MethodRuns.Of(CountedSw1StepMethod.Key(runKey, i, t)) == runs, $"object {i}, iteration {t} ran {MethodRuns.Of(CountedSw1StepMethod.Key(runKey, i, t))} times, not {runs}");
            }
        }
    }

    [Fact]
    public async Task ArrayDictClient_RunUntilDoneAsync_FromInfosWithUnsavedChanges_CheckpointsFirstAndReplaysToTheExactResult()
    {
        // Without the checkpoint the infos call for, the victim would lose its fill too, and the run could not rebuild it.
        await RunLosingTheVictimsCallsAsync(async (client, keys, step) =>
        {
            var infos = await Task.WhenAll(keys.Select(key => client.GetInfoAsync(key)));
            Assert.All(infos, info => Assert.True(info.UnsavedChanges > 0, $"ArrayDict {info.Id} has its fill saved already"));
            return await client.RunUntilDoneAsync(infos, step, result => result.Done, stepIsReplayable: true);
        });
    }

    [Fact]
    public async Task ArrayDictClient_RunUntilDoneAsync_GrainLostReturnedCalls_StepNotReplayable_ThrowsNamingItAndItsEpochs()
    {
        var (client, first, keys, victim) = await FillAsync();
        string runKey = MethodRuns.NewKey();
        var gate = MethodGates.Close(runKey);

        var run = client.RunUntilDoneAsync(keys, Step(runKey, first, victim), result => result.Done);
        await LoseCallsOfVictimAsync(client, victim, gate);
        var error = await Assert.ThrowsAsync<LostEpochsException>(() => run);

        var lost = Assert.Single(error.Lost);
        Assert.Equal((victim, (long?)null, 2L, LostEpochsReason.StepNotReplayable), (lost.ArrayDictId, lost.LastAppliedEpoch, lost.LastReturnedEpoch, lost.Reason));
        Assert.Contains($"ArrayDict {victim} is back at no epoch after epoch 2 had returned", error.Message);
        Assert.Equal(0, MethodRuns.Of(CountedSw1StepMethod.Key(runKey, victim - first, 3)));
        Assert.Equal(1, MethodRuns.Of(CountedSw1StepMethod.Key(runKey, victim - first, 2)));
    }

    private static Func<long, int, IArrayDictMethod<Sw1StepResult>> Step(string runKey, long first, long victim) =>
        (key, t) => new CountedSw1StepMethod(runKey, new Sw1StepMethod(Parameters, key - first, t), key == victim && t == 2 ? runKey : null);

    /// <summary>
    /// Fills, starts the run that <paramref name="start"/> makes with the counted step, makes the victim lose its epochs
    /// 0 to 2 after they returned, and checks that the run still ends with the exact result, those three epochs replayed.
    /// </summary>
    private async Task<(long First, long Victim, string RunKey)> RunLosingTheVictimsCallsAsync(
        Func<ArrayDictClient, long[], Func<long, int, IArrayDictMethod<Sw1StepResult>>, Task<IterationRunResult<Sw1StepResult>>> start)
    {
        var expected = PlainSw1Loop.Run(Parameters);
        var (client, first, keys, victim) = await FillAsync();
        string runKey = MethodRuns.NewKey();
        var gate = MethodGates.Close(runKey);

        var run = start(client, keys, Step(runKey, first, victim));
        await LoseCallsOfVictimAsync(client, victim, gate);
        var result = await run;

        Assert.Equal(3, result.Replays);
        Assert.Equal(expected.Calls, result.Calls);
        Assert.Equal(expected.TotalRows, result.LastResults.Values.Sum(r => (long)r.Rows));
        Assert.Equal(expected.Checksum, result.LastResults.Values.Sum(r => r.Sum), Math.Abs(expected.Checksum) * 1e-9);
        return (first, victim, runKey);
    }

    /// <summary>Fills fresh ArrayDicts; the victim is the one with the most iterations.</summary>
    private async Task<(ArrayDictClient Client, long First, long[] Keys, long Victim)> FillAsync()
    {
        var client = fixture.CreateClient();
        long first = ClusterFixture.NewKeyBlock(Parameters.Objects);
        long[] keys = [.. Enumerable.Range(0, Parameters.Objects).Select(i => first + i)];
        await client.ApplyManyAsync(keys, _ => new Sw1FillMethod(Parameters));
        return (client, first, keys, first + Parameters.Objects - 1);
    }

    /// <summary>
    /// While the victim runs epoch 2, asks for its deactivation with a write that fails: epoch 2 returns, then the grain
    /// is gone with everything it had not written.
    /// </summary>
    private async Task LoseCallsOfVictimAsync(ArrayDictClient client, long victim, MethodGates.Gate gate)
    {
        await gate.ReachedAsync();
        var grain = client.Get(victim);
        FaultPlan.Add(grain.GetGrainId(), WriteFault.FailBeforeWrite);
        var deactivated = fixture.Cluster.DeactivateAsync(grain);
        gate.Open();
        await deactivated.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, FaultPlan.Remaining(grain.GetGrainId()));
    }
}
