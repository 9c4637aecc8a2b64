namespace ArrayDictOrleans.Tests.Limits;

/// <summary>What every refused request must show: the limit and its setting named, nothing changed, little allocated.</summary>
internal static class LimitAssert
{
    /// <summary>
    /// The most bytes the whole process may allocate while a refused request is made and answered: far below what any of
    /// the requests tried asks for (a gibibyte or more), and above what a call's own messages cost.
    /// </summary>
    public const long SmallAllocation = 64L << 20;

    /// <summary>How many times a refused request is made when the process allocated too much while it ran (see <see cref="RefusedAsync"/>).</summary>
    public const int AllocationAttempts = 3;

    /// <summary>
    /// Runs <paramref name="request"/>, which must be refused for <paramref name="limit"/>, and checks the grain kept its data.
    /// The allocation is measured process-wide (the refusal happens on the silo's threads), so the silo's own background
    /// work can land in it: a request over the bound is made again, up to <see cref="AllocationAttempts"/> times, and one
    /// attempt under it passes. A request that allocates what it asks for is over the bound every time.
    /// </summary>
    public static async Task<ArrayDictLimitExceededException> RefusedAsync(IArrayDictGrain grain, string limit, Func<Task> request, bool measureAllocation = true)
    {
        var before = await ReadAllAsync(grain);
        var infoBefore = await grain.GetInfoAsync();
        var measured = new List<long>();
        ArrayDictLimitExceededException error;
        do
        {
            long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            error = await Assert.ThrowsAsync<ArrayDictLimitExceededException>(request);
            measured.Add(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore);
        }
        while (measureAllocation && measured[^1] >= SmallAllocation && measured.Count < AllocationAttempts);

        Assert.Equal(limit, error.Limit);
        Assert.Contains($"{limit} = {error.Maximum}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"ArrayDict:Limits:{limit}", error.Message, StringComparison.Ordinal);
        Assert.Contains(error.Requested.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        if (measureAllocation)
        {
            Assert.True(
                measured[^1] < SmallAllocation,
                $"The refused request allocated more than {SmallAllocation} bytes in the process each of {measured.Count} times: {string.Join(", ", measured)}.");
        }

        var after = await ReadAllAsync(grain);
        var infoAfter = await grain.GetInfoAsync();
        Assert.True(before.ContentEquals(after), "The refused request changed the ArrayDict's rows.");
        Assert.Equal(infoBefore.Width, infoAfter.Width);
        Assert.Equal(infoBefore.LastAppliedEpoch, infoAfter.LastAppliedEpoch);
        return error;
    }

    /// <summary>The whole ArrayDict, read in pages small enough for any limits the tests set.</summary>
    public static async Task<ArrayDict> ReadAllAsync(IArrayDictGrain grain)
    {
        var info = await grain.GetInfoAsync();
        var dict = new ArrayDict(info.Width);
        for (int start = 0; start >= 0;)
        {
            var page = await grain.ExportPageAsync(start, 50);
            for (int i = 0; i < page.Rows.Count; i++)
            {
                dict.SetRow(page.Rows.Keys[i], page.Rows.Row(i));
            }

            start = page.NextRow;
        }

        return dict;
    }
}
