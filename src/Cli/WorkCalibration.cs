using System.Diagnostics;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>
/// Turns <c>--work-us K</c> into a fixed step count of <see cref="Sw1Work"/>: the kernel is timed once at start with one
/// thread per core (<see cref="Environment.ProcessorCount"/>) running it at once, so that K µs is what one call's work
/// costs when every core is busy, as it is during the loop. The count, not the time, then travels with the calls, so a
/// run's results do not depend on the calibration.
/// </summary>
internal static class WorkCalibration
{
    private const long Chunk = 20_000;
    private const int Rounds = 3;
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(150);

    /// <summary>The step count whose work takes about <paramref name="microseconds"/> µs with all cores busy; 0 for 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="microseconds"/> is negative.</exception>
    public static long IterationsFor(int microseconds, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(microseconds);
        if (microseconds == 0)
        {
            return 0;
        }

        double nanoseconds = NanosecondsPerIteration(Environment.ProcessorCount, cancellationToken);
        return Math.Max(1, (long)Math.Round(microseconds * 1000.0 / nanoseconds));
    }

    /// <summary>
    /// Parallel efficiency: the work the calls were asked to do, <c>calls x K µs</c>, over the core time the loop had,
    /// <c>loop seconds x cores</c>; 1 when the cores did nothing but the work. Null without work (K = 0).
    /// </summary>
    public static double? Efficiency(long calls, int microseconds, double loopSeconds) =>
        microseconds > 0 && loopSeconds > 0 ? calls * microseconds * 1e-6 / (loopSeconds * Environment.ProcessorCount) : null;

    /// <summary>The median over a few rounds of the mean time of one step while <paramref name="threads"/> threads run the kernel at once.</summary>
    public static double NanosecondsPerIteration(int threads, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var rounds = new double[Rounds];
        for (int round = 0; round < Rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            rounds[round] = OneRound(threads);
        }

        Array.Sort(rounds);
        return rounds[Rounds / 2];
    }

    private static double OneRound(int threads)
    {
        var perThread = new double[threads];
        var outcomes = new ulong[threads]; // stored, so that the work has an effect and stays
        using var ready = new Barrier(threads);
        var workers = new Thread[threads];
        for (int k = 0; k < threads; k++)
        {
            int index = k;
            workers[k] = new Thread(() =>
            {
                ready.SignalAndWait();
                long steps = 0;
                ulong outcome = 0;
                var watch = Stopwatch.StartNew();
                while (watch.Elapsed < Window)
                {
                    outcome ^= Sw1Work.Run(Chunk, index, (int)(steps / Chunk));
                    steps += Chunk;
                }

                perThread[index] = watch.Elapsed.TotalNanoseconds / steps;
                outcomes[index] = outcome;
            })
            {
                IsBackground = true,
                Name = "arraydict work calibration",
            };
            workers[k].Start();
        }

        foreach (var worker in workers)
        {
            worker.Join();
        }

        return perThread.Average();
    }
}
