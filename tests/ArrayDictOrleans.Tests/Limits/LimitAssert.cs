namespace ArrayDictOrleans.Tests.Limits;

/// <summary>What every refused request must show: the limit and its setting named, nothing changed, little allocated.</summary>
internal static class LimitAssert
{
    /// <summary>
    /// The most bytes the whole process may allocate while a refused request is made and answered: far below what any of
    /// the requests tried asks for (a gibibyte or more), and above what a call's own messages cost.
    /// </summary>
    public const long SmallAllocation = 64L << 20;

    /// <summary>Runs <paramref name="request"/>, which must be refused for <paramref name="limit"/>, and checks the grain kept its data.</summary>
    public static async Task<ArrayDictLimitExceededException> RefusedAsync(IArrayDictGrain grain, string limit, Func<Task> request, bool measureAllocation = true)
    {
        var before = await ReadAllAsync(grain);
        var infoBefore = await grain.GetInfoAsync();
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var error = await Assert.ThrowsAsync<ArrayDictLimitExceededException>(request);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        Assert.Equal(limit, error.Limit);
        Assert.Contains($"{limit} = {error.Maximum}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"ArrayDict:Limits:{limit}", error.Message, StringComparison.Ordinal);
        Assert.Contains(error.Requested.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        if (measureAllocation)
        {
            Assert.True(allocated < SmallAllocation, $"The refused request allocated {allocated} bytes in the process, more than {SmallAllocation}.");
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
