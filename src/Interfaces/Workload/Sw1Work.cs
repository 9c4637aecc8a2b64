using System.Runtime.CompilerServices;

namespace ArrayDictOrleans.Workload;

/// <summary>
/// The deterministic CPU work an SW1 call does on top of its updates, appends and sum (<see cref="Sw1Parameters.WorkIterations"/>),
/// standing for an expensive method's own computation. Each step depends on the one before it, so the work can be neither
/// skipped nor vectorised, and its outcome travels in <see cref="Sw1StepResult.WorkResult"/>.
/// </summary>
public static class Sw1Work
{
    /// <summary>Runs <paramref name="iterations"/> steps of a xorshift64 sequence from a seed made of the object and the iteration; 0 when there are none.</summary>
    /// <param name="iterations">Steps to run; 0 does no work.</param>
    /// <param name="objectId">The ArrayDict's id, <c>i</c>.</param>
    /// <param name="iteration">The iteration, <c>t</c>.</param>
    /// <returns>The sequence's last value: the same for the same arguments on every machine.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="iterations"/> is negative.</exception>
    // Fully optimised from the first call, so that a calibration and the calls it calibrates run the same code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ulong Run(long iterations, long objectId, int iteration)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        if (iterations == 0)
        {
            return 0;
        }

        // A xorshift state must not be 0; the odd constant makes the seed odd whatever the object and iteration are.
        ulong x = (((ulong)objectId * 0x9E3779B97F4A7C15UL) ^ ((ulong)(uint)iteration << 32)) | 1;
        for (long k = 0; k < iterations; k++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }

        return x;
    }
}
