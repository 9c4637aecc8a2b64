using ArrayDictOrleans.Methods;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Tests.Limits;

/// <summary>Every limit at every entry point, against a cluster with small limits: refused, named, nothing changed.</summary>
[Collection(LimitsClusterCollection.Name)]
public sealed class LimitTests(LimitsClusterFixture fixture)
{
    private static ArrayDictLimits Limits => LimitsClusterFixture.Limits;

    [Fact]
    public async Task ArrayDictGrain_ClearAsync_WidthOverMaxWidth_Refused()
    {
        var grain = await SeededGrainAsync();
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxWidth), () => grain.ClearAsync(Limits.MaxWidth + 1));
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxWidth), async () => await grain.ForceClearAsync(Limits.MaxWidth + 1));
        await grain.ClearAsync(Limits.MaxWidth);
        Assert.Equal(Limits.MaxWidth, (await grain.GetInfoAsync()).Width);
    }

    [Fact]
    public async Task ArrayDictGrain_SetValueAndSetRow_AtMaxRows_NewKeyRefusedExistingKeyWritten()
    {
        var grain = fixture.NewGrain();
        await FillAsync(grain, Limits.MaxRows);

        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxRows), () => grain.SetValueAsync(-1, 1));
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxRows), () => grain.SetRowAsync(-1, [1]));
        await grain.SetValueAsync(0, 42);

        Assert.Equal(42, await grain.GetValueAsync(0));
        Assert.Equal(Limits.MaxRows, (await grain.GetInfoAsync()).Count);
    }

    [Fact]
    public async Task ArrayDictGrain_SetManyAsync_OverRowsPerCallOrBytesPerCallOrMaxRows_Refused()
    {
        var grain = await SeededGrainAsync();
        int rows = Limits.MaxRowsPerCall + 1;
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxRowsPerCall), () => grain.SetManyAsync(Batch(1, rows, firstKey: 100)));

        await grain.ClearAsync(Limits.MaxWidth);
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxBytesPerCall), () => grain.SetManyAsync(Batch(Limits.MaxWidth, 70, firstKey: 100)));

        await grain.ClearAsync(1);
        await FillAsync(grain, Limits.MaxRows - 10);
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxRows), () => grain.SetManyAsync(Batch(1, 11, firstKey: 10_000)));
        await grain.SetManyAsync(Batch(1, 10, firstKey: 10_000));
        Assert.Equal(Limits.MaxRows, (await grain.GetInfoAsync()).Count);
    }

    [Fact]
    public async Task ArrayDictGrain_GetManyAsync_OverRowsPerCallOrBytesPerCall_Refused()
    {
        var grain = await SeededGrainAsync();
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxRowsPerCall), () => grain.GetManyAsync(new long[Limits.MaxRowsPerCall + 1]));
        await grain.ClearAsync(Limits.MaxWidth);
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxBytesPerCall), () => grain.GetManyAsync(new long[70]));
    }

    [Fact]
    public async Task ArrayDictGrain_ExportAsync_OverBytesPerCall_RefusedPagesStillExport()
    {
        var grain = fixture.NewGrain();
        await FillAsync(grain, 600);

        var error = await Assert.ThrowsAsync<ArrayDictLimitExceededException>(() => grain.ExportAsync());
        Assert.Equal(nameof(ArrayDictLimits.MaxBytesPerCall), error.Limit);
        Assert.Contains("in pages", error.Message, StringComparison.Ordinal);

        long rows = 0;
        for (int start = 0; start >= 0;)
        {
            var page = await grain.ExportPageAsync(start, Limits.MaxRowsPerCall);
            rows += page.Rows.Count;
            start = page.NextRow;
        }

        Assert.Equal(600, rows);
    }

    [Fact]
    public async Task ArrayDictGrain_ExportPageAsync_OverRowsPerCallOrBytesPerCall_Refused()
    {
        var grain = await SeededGrainAsync();
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxRowsPerCall), () => grain.ExportPageAsync(0, Limits.MaxRowsPerCall + 1));
        await grain.ClearAsync(Limits.MaxWidth);
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxBytesPerCall), () => grain.ExportPageAsync(0, 70));
    }

    [Fact]
    public async Task ArrayDictGrain_ImportAsync_OverMaxRowsOrMaxBytes_Refused()
    {
        var grain = await SeededGrainAsync();
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxRows), () => grain.ImportAsync(Dict(1, Limits.MaxRows + 1)));
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxBytes), () => grain.ImportAsync(Dict(Limits.MaxWidth, 500)));
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxWidth), () => grain.ImportAsync(Dict(Limits.MaxWidth + 1, 1)));
    }

    [Fact]
    public async Task ArrayDictGrain_PagedImport_OverLimits_RefusedAndImportDropped()
    {
        var grain = await SeededGrainAsync();
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxRows), () => grain.BeginImportAsync(1, Limits.MaxRows + 1));
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxBytes), () => grain.BeginImportAsync(Limits.MaxWidth, 500));

        var import = await grain.BeginImportAsync(1, Limits.MaxRows);
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxRowsPerCall), () => grain.ImportPageAsync(import, Batch(1, Limits.MaxRowsPerCall + 1, firstKey: 0)));
        await Assert.ThrowsAsync<InvalidOperationException>(() => grain.CommitImportAsync(import));
        Assert.Equal(new[] { 1.5 }, (await grain.GetManyAsync([1])).Values);
    }

    [Fact]
    public async Task ArrayDictGrain_ApplyAsync_EpochOverMaxEpoch_Refused()
    {
        var grain = await SeededGrainAsync();
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxEpoch), () => grain.ApplyAsync(new ScaleMethod(3), Limits.MaxEpoch + 1));
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxEpoch), () => grain.ApplyNextAsync(new ScaleMethod(3), Limits.MaxEpoch + 1, null));
        await grain.ApplyAsync(new ScaleMethod(3), Limits.MaxEpoch);
        Assert.Equal(Limits.MaxEpoch, (await grain.GetInfoAsync()).LastAppliedEpoch);
    }

    [Fact]
    public async Task ArrayDictGrain_ApplyAsync_BoundedMethodsOverLimits_RefusedBeforeRunning()
    {
        var grain = await SeededGrainAsync();
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxRowsPerCall), () => grain.ApplyAsync(new UpsertRowsMethod(Batch(1, Limits.MaxRowsPerCall + 1, firstKey: 100))));
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxRowsPerCall), () => grain.ApplyAsync(new Sw1StepMethod(new Sw1Parameters(Rows: 2, Appends: Limits.MaxRows), 0, 0)));
        await FillAsync(grain, Limits.MaxRows - 50);
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxRows), () => grain.ApplyAsync(new Sw1StepMethod(new Sw1Parameters(Rows: 2, Updates: 1, Appends: 60), 0, 0)));

        var empty = fixture.NewGrain();
        await LimitAssert.RefusedAsync(empty, nameof(ArrayDictLimits.MaxRows), () => empty.ApplyAsync(new Sw1FillMethod(new Sw1Parameters(Rows: Limits.MaxRows + 1))));
        await LimitAssert.RefusedAsync(empty, nameof(ArrayDictLimits.MaxWidth), () => empty.ApplyAsync(new Sw1FillMethod(new Sw1Parameters(Rows: 1, Width: Limits.MaxWidth + 1))));
    }

    [Fact]
    public async Task ArrayDictGrain_ApplyAsync_UnboundedMethodGrowingPastMaxRows_RolledBack()
    {
        var grain = await SeededGrainAsync();

        // A user method whose arguments cannot say what it costs: checked after it ran, and rolled back.
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxRows), () => grain.ApplyAsync(new GrowMethod(Limits.MaxRows + 1), epoch: 7));
        Assert.Null((await grain.GetInfoAsync()).LastAppliedEpoch);
    }

    private static RowBatch Batch(int width, int rows, long firstKey)
    {
        var keys = new long[rows];
        for (int i = 0; i < rows; i++)
        {
            keys[i] = firstKey + i;
        }

        return new RowBatch(width, keys, new double[(long)rows * width]);
    }

    private static ArrayDict Dict(int width, int rows)
    {
        var dict = new ArrayDict(width, rows);
        for (int i = 0; i < rows; i++)
        {
            dict.AddRow(i);
        }

        return dict;
    }

    private static async Task FillAsync(IArrayDictGrain grain, int rows)
    {
        for (int start = 0; start < rows; start += Limits.MaxRowsPerCall)
        {
            await grain.SetManyAsync(Batch(1, Math.Min(Limits.MaxRowsPerCall, rows - start), firstKey: start));
        }
    }

    private async Task<IArrayDictGrain> SeededGrainAsync()
    {
        var grain = fixture.NewGrain();
        await grain.SetValueAsync(1, 1.5);
        await grain.SetValueAsync(2, 2.5);
        return grain;
    }
}

/// <summary>Adds <see cref="Rows"/> new rows: a method that does not declare its cost.</summary>
[GenerateSerializer, Immutable, Alias("arraydict.tests.GrowMethod")]
public sealed record GrowMethod([property: Id(0)] int Rows) : IArrayDictMethod<int>
{
    public int Invoke(ArrayDict dict)
    {
        for (int i = 0; i < Rows; i++)
        {
            dict.AddRow(1_000_000 + i);
        }

        return Rows;
    }
}
