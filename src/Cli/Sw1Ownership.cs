using System.Collections.Concurrent;
using System.Globalization;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>
/// Tells SW1's own ArrayDicts, which a run may empty and fill again, from ArrayDicts holding other data, which it must not
/// destroy unless told to (<c>--overwrite</c>).
/// </summary>
/// <remarks>
/// An ArrayDict is SW1's when it is empty, or when its keys are those SW1 leaves at the run's R: of its n keys, the R
/// initial keys <c>3j</c> (j &lt; R) and the first n - R keys that appends produce, <c>3R + 3m + 1</c> (m &lt; n - R),
/// whatever its width and however many calls were made (<c>docs/workload.md</c>). Key position p (0..n-1) thus holds
/// <c>3p</c> below R and <c>3p + 1</c> from R on. The check is cheap: the info, then one <c>GetManyAsync</c> of at most
/// 16 of those keys (both ends of both parts and keys spread between); any absent one means the data is not SW1's. Since
/// the count must match too, a user's key added to an SW1 ArrayDict (its last expected key is then absent) or a lone row
/// (fewer keys than R) is caught. Values are not compared: SW1's values change with every call.
/// </remarks>
internal static class Sw1Ownership
{
    private const int CheckConcurrency = 256;
    private const int MaxProbes = 16;

    // Bounds the probe's message: fewer keys are read when rows are wide, but never fewer than the four boundaries.
    private const int MaxProbeValues = 1 << 16;
    private const int MinProbes = 4;

    /// <summary>
    /// The ArrayDicts among <paramref name="ids"/> that hold data SW1 did not create, the lowest id first; null when there
    /// are none. <paramref name="infos"/> holds each one's info, read by the caller (position for position), so that only
    /// the ArrayDicts with at least R keys are probed.
    /// </summary>
    public static async Task<ForeignArrayDicts?> FindForeignAsync(ArrayDictClient client, Sw1Parameters parameters, IReadOnlyList<long> ids, IReadOnlyList<ArrayDictInfo> infos, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(infos);
        if (infos.Count != ids.Count)
        {
            throw new ArgumentException($"{infos.Count} infos were given for {ids.Count} ids; one per id is needed.", nameof(infos));
        }

        var foreign = new ConcurrentBag<(long Id, string Holds)>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = CheckConcurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, ids.Count), parallel, async (i, _) =>
        {
            if (await ForeignDataAsync(client.Get(ids[i]), infos[i], parameters.Rows).ConfigureAwait(false) is { } holds)
            {
                foreign.Add((ids[i], holds));
            }
        }).ConfigureAwait(false);
        if (foreign.IsEmpty)
        {
            return null;
        }

        var first = foreign.MinBy(entry => entry.Id);
        return new ForeignArrayDicts(first.Id, first.Holds, foreign.Count);
    }

    /// <summary>What the ArrayDict, whose info is <paramref name="info"/>, holds when it is not SW1's at <paramref name="rows"/> initial rows (for a message), else null.</summary>
    public static async Task<string?> ForeignDataAsync(IArrayDictGrain grain, ArrayDictInfo info, int rows)
    {
        ArgumentNullException.ThrowIfNull(grain);
        ArgumentNullException.ThrowIfNull(info);
        if (info.Count == 0)
        {
            return null;
        }

        string holds = string.Create(CultureInfo.InvariantCulture, $"{info.Count:N0} key{(info.Count == 1 ? string.Empty : "s")} of width {info.Width}");

        if (info.Count < rows)
        {
            return holds;
        }

        try
        {
            await grain.GetManyAsync(ProbeKeys(rows, info.Count, info.Width)).ConfigureAwait(false);
            return null;
        }
        catch (KeyNotFoundException)
        {
            return holds;
        }
    }

    /// <summary>The key SW1 puts at position <paramref name="position"/> of an ArrayDict of <paramref name="rows"/> initial rows.</summary>
    public static long KeyAt(int rows, long position) => position < rows ? 3 * position : (3 * position) + 1;

    /// <summary>
    /// The keys read to check an ArrayDict of <paramref name="count"/> keys of <paramref name="width"/> values against SW1 at
    /// <paramref name="rows"/> initial rows: the first and last initial key, the first and last appended one, and keys spread
    /// between, at most 16 and at most 65,536 values' worth (but never fewer than the four ends).
    /// </summary>
    public static long[] ProbeKeys(int rows, int count, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        int probes = Math.Clamp(MaxProbeValues / width, MinProbes, MaxProbes);
        var positions = new SortedSet<long> { 0, rows - 1, count - 1 };
        if (count > rows)
        {
            positions.Add(rows);
        }

        int spread = probes - positions.Count;
        for (int s = 1; s <= spread; s++)
        {
            positions.Add((long)s * count / (spread + 1));
        }

        return [.. positions.Select(position => KeyAt(rows, position))];
    }
}

/// <summary>ArrayDicts a run found holding data SW1 did not create.</summary>
/// <param name="FirstId">The lowest such id.</param>
/// <param name="Holds">What it holds, for a message.</param>
/// <param name="Count">How many there are.</param>
internal sealed record ForeignArrayDicts(long FirstId, string Holds, int Count)
{
    /// <summary>One line: the first such ArrayDict, how many more, and how to go on.</summary>
    public string Describe(Sw1Parameters parameters, long firstId)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var c = CultureInfo.InvariantCulture;
        string range = parameters.Objects == 1 ? $"ArrayDict {firstId}" : string.Create(c, $"ArrayDicts {firstId}..{firstId + parameters.Objects - 1}");
        string more = Count > 1 ? string.Create(c, $" (and {Count - 1:N0} more of {range})") : string.Empty;
        return string.Create(
            c,
            $"ArrayDict {FirstId}{more} holds data that SW1 did not create ({Holds}; SW1 with --rows {parameters.Rows} leaves its {parameters.Rows:N0} initial keys and the keys its appends add). Nothing was changed. Run on other ids with --first-id, or pass --overwrite to replace the data in {range}.");
    }
}
