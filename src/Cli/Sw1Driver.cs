using System.Diagnostics;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>SW1 through the SDK: bring every ArrayDict to the initial state inside its grain, then the iterate-until-done loop.</summary>
internal static class Sw1Driver
{
    private const int ClearConcurrency = 64;

    // Four times the SDK fan-out's default (ArrayDictClientOptions.MaxConcurrency): a grain's first base waits for two
    // file-system syncs, and the more fills wait at once, the more each sync covers (docs/performance.md, "The fill's
    // syscalls and concurrency").
    private const int FillConcurrency = 1024;

    /// <summary>
    /// Brings ArrayDicts F..F+N-1 (F = <paramref name="firstId"/>) to SW1's initial state at the run's width, inside the
    /// grains. It first reads every ArrayDict's info; unless <paramref name="overwrite"/>, it then checks with those infos
    /// that none of them holds data SW1 did not create (<see cref="Sw1Ownership"/>), and otherwise changes nothing and fails
    /// naming the first. Then one flow per ArrayDict clears it only when its info showed rows, epochs or another width (so a
    /// fresh ArrayDict writes no tombstone), fills it, reads its info again and, where the silo's policy left the fill
    /// unsaved, checkpoints it. Each step is retried after a transient failure: the info is a read, and the clear, the fill
    /// and the checkpoint are idempotent.
    /// </summary>
    /// <returns>How long it took, and every ArrayDict's info after its fill, for <see cref="LoopAsync"/> to start from.</returns>
    /// <exception cref="CliException">An ArrayDict holds other data and <paramref name="overwrite"/> is false.</exception>
    public static async Task<Sw1Fill> FillAsync(
        ArrayDictClient client, Sw1Parameters parameters, long firstId, bool overwrite, IProgress<IterationProgress>? progress, CancellationToken cancellationToken, TimeSpan? callTimeout = null)
    {
        var ids = Ids(parameters, firstId);
        var fill = new Sw1FillMethod(parameters);
        int completed = 0;
        var watch = Stopwatch.StartNew();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = FillConcurrency, CancellationToken = cancellationToken };
        var infos = new ArrayDictInfo[ids.Length];
        var after = new ArrayDictInfo[ids.Length];
        await Parallel.ForEachAsync(Enumerable.Range(0, ids.Length), parallel, async (i, token) =>
            infos[i] = await client.GetInfoAsync(ids[i], token).ConfigureAwait(false)).ConfigureAwait(false);
        if (!overwrite && await Sw1Ownership.FindForeignAsync(client, parameters, ids, infos, cancellationToken).ConfigureAwait(false) is { } foreign)
        {
            throw new CliException(foreign.Describe(parameters, firstId));
        }

        await Parallel.ForEachAsync(Enumerable.Range(0, ids.Length), parallel, async (i, token) =>
        {
            long id = ids[i];
            var info = infos[i];
            if (info.Count != 0 || info.LastAppliedEpoch is not null || info.Width != parameters.Width)
            {
                await client.ClearAsync(id, parameters.Width, token).ConfigureAwait(false);
            }

            await client.ApplyIdempotentAsync(id, fill, callTimeout, token).ConfigureAwait(false);
            var filled = await client.GetInfoAsync(id, token).ConfigureAwait(false);
            if (filled.UnsavedChanges > 0)
            {
                // The loop replays lost epochs from this state, so it must be durable (else the loop checkpoints it itself).
                await client.CheckpointAsync(id, token).ConfigureAwait(false);
                filled = await client.GetInfoAsync(id, token).ConfigureAwait(false);
            }

            after[i] = filled;

            progress?.Report(new IterationProgress(0, Interlocked.Increment(ref completed), ids.Length));
        }).ConfigureAwait(false);
        return new Sw1Fill(watch.Elapsed, after);
    }

    /// <summary>Empties ArrayDicts F..F+N-1 and deletes their snapshots (leaves nothing for a shutdown to write).</summary>
    public static async Task ClearAsync(ArrayDictClient client, Sw1Parameters parameters, long firstId, CancellationToken cancellationToken)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = ClearConcurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Ids(parameters, firstId), parallel, async (id, token) => await client.ClearAsync(id, 1, token).ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs SW1's driver loop on the ArrayDicts <paramref name="fill"/> just filled, each ArrayDict's epochs after the last
    /// one its info after the fill reports (the SDK's loop then does not read every info again): object i of the workload
    /// is ArrayDict F+i (F = <paramref name="firstId"/>), so totalRows and checksum do not depend on F. SW1's step is a pure
    /// function of (id, t), so an ArrayDict that lost calls which had returned has them replayed. With a
    /// <paramref name="callTimeout"/>, each call has it as its own timeout (the SDK's <c>callTimeout</c>).
    /// </summary>
    public static async Task<Sw1LoopResult> LoopAsync(
        ArrayDictClient client, Sw1Parameters parameters, long firstId, Sw1Fill fill, IProgress<IterationProgress>? progress, CancellationToken cancellationToken, TimeSpan? callTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(fill);
        var watch = Stopwatch.StartNew();
        var run = await client.RunUntilDoneAsync(
            fill.Infos,
            (id, t) => new Sw1StepMethod(parameters, id - firstId, t),
            result => result.Done,
            progress,
            maxIterations: parameters.Budget,
            stepIsReplayable: true,
            callTimeout,
            cancellationToken).ConfigureAwait(false);
        var elapsed = watch.Elapsed;
        long totalRows = 0;
        double checksum = 0;
        foreach (var result in run.LastResults.Values)
        {
            totalRows += result.Rows;
            checksum += result.Sum;
        }

        return new Sw1LoopResult(elapsed, run.Iterations, run.Calls, totalRows, checksum, run.Retries, run.Replays);
    }

    private static long[] Ids(Sw1Parameters parameters, long firstId) => [.. Enumerable.Range(0, parameters.Objects).Select(i => firstId + i)];
}

/// <summary>What SW1's fill did.</summary>
/// <param name="Elapsed">Wall time of the fill.</param>
/// <param name="Infos">Every ArrayDict's info after its fill (and its checkpoint, where the fill was left unsaved), in the order of the workload's objects.</param>
internal sealed record Sw1Fill(TimeSpan Elapsed, IReadOnlyList<ArrayDictInfo> Infos);

/// <summary>What SW1's loop did.</summary>
/// <param name="Elapsed">Wall time of the loop.</param>
/// <param name="Iterations">Iterations run.</param>
/// <param name="Calls">Calls made.</param>
/// <param name="TotalRows">The sum of the final row counts.</param>
/// <param name="Checksum">The sum of each object's last sum.</param>
/// <param name="Retries">Calls retried after a transient failure.</param>
/// <param name="Replays">Calls made again on ArrayDicts that had lost calls which had returned (their epochs replayed).</param>
internal sealed record Sw1LoopResult(TimeSpan Elapsed, int Iterations, long Calls, long TotalRows, double Checksum, long Retries, long Replays)
{
    public double CallsPerSecond => Elapsed > TimeSpan.Zero ? Calls / Elapsed.TotalSeconds : 0;
}
