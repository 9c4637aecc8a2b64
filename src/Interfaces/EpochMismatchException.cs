using System.Globalization;

namespace ArrayDictOrleans;

/// <summary>
/// A call said which epoch its caller last saw applied on the ArrayDict (<see cref="IArrayDictGrain.ApplyNextAsync{TResult}"/>),
/// and the ArrayDict's own last applied epoch is another one. Nothing was run. <see cref="IsBehind"/>: the ArrayDict lost
/// calls that had returned (it came back from storage at an older state, as after a crash with unsaved changes); otherwise
/// it is ahead: it applied epochs this caller did not see (another caller, or an earlier run).
/// </summary>
[GenerateSerializer, Alias("arraydict.EpochMismatchException")]
public sealed class EpochMismatchException : InvalidOperationException
{
    /// <summary>Creates the exception for ArrayDict <paramref name="arrayDictId"/>.</summary>
    /// <param name="arrayDictId">The ArrayDict that refused the call.</param>
    /// <param name="epoch">The epoch the call carried.</param>
    /// <param name="afterEpoch">The last epoch the caller saw applied, or null for none.</param>
    /// <param name="lastAppliedEpoch">The ArrayDict's last applied epoch, or null for none.</param>
    public EpochMismatchException(long arrayDictId, long epoch, long? afterEpoch, long? lastAppliedEpoch)
        : base(Describe(arrayDictId, epoch, afterEpoch, lastAppliedEpoch))
    {
        ArrayDictId = arrayDictId;
        Epoch = epoch;
        AfterEpoch = afterEpoch;
        LastAppliedEpoch = lastAppliedEpoch;
    }

    /// <summary>The ArrayDict that refused the call.</summary>
    [Id(0)]
    public long ArrayDictId { get; }

    /// <summary>The epoch the call carried.</summary>
    [Id(1)]
    public long Epoch { get; }

    /// <summary>The last epoch the caller saw applied on the ArrayDict, or null for none.</summary>
    [Id(2)]
    public long? AfterEpoch { get; }

    /// <summary>The ArrayDict's last applied epoch, or null for none.</summary>
    [Id(3)]
    public long? LastAppliedEpoch { get; }

    /// <summary>Whether the ArrayDict is behind its caller: it lost epochs after <see cref="LastAppliedEpoch"/> up to <see cref="AfterEpoch"/>, whose calls had returned.</summary>
    public bool IsBehind => IsBehindOf(AfterEpoch, LastAppliedEpoch);

    private static bool IsBehindOf(long? afterEpoch, long? lastAppliedEpoch) =>
        afterEpoch is { } after && (lastAppliedEpoch is not { } last || last < after);

    private static string Describe(long arrayDictId, long epoch, long? afterEpoch, long? lastAppliedEpoch)
    {
        string seen = afterEpoch is { } after ? string.Create(CultureInfo.InvariantCulture, $"epoch {after}") : "no epoch";
        string at = lastAppliedEpoch is { } last ? string.Create(CultureInfo.InvariantCulture, $"epoch {last}") : "no epoch";
        if (IsBehindOf(afterEpoch, lastAppliedEpoch))
        {
            string lost = lastAppliedEpoch switch
            {
                { } l when l + 1 == afterEpoch => string.Create(CultureInfo.InvariantCulture, $"epoch {afterEpoch}"),
                { } l => string.Create(CultureInfo.InvariantCulture, $"epochs {l + 1} to {afterEpoch}"),
                null => string.Create(CultureInfo.InvariantCulture, $"every epoch up to {afterEpoch}"),
            };
            return string.Create(
                CultureInfo.InvariantCulture,
                $"ArrayDict {arrayDictId} refused epoch {epoch}: its caller last saw {seen} applied there, but the ArrayDict is back at {at}. It lost calls that had returned ({lost}), as a crash with unsaved changes does; nothing was run.");
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"ArrayDict {arrayDictId} refused epoch {epoch}: its caller last saw {seen} applied there, but the ArrayDict has applied {at}, which this caller did not see (another caller or an earlier run); nothing was run.");
    }
}
