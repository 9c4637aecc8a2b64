using ArrayDictOrleans.Methods;
using ArrayDictOrleans.Tests.Grains;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Tests.Limits;

/// <summary>
/// The requests the security review named, against a cluster with the default limits: each would have made a silo
/// allocate gigabytes or poison a grain; each is refused before it allocates, naming its limit, with the data unchanged.
/// </summary>
[Collection(DefaultLimitsClusterCollection.Name)]
public sealed class DefaultLimitsTests(ClusterFixture fixture)
{
    private static readonly ArrayDictLimits Defaults = new();

    [Fact]
    public async Task ArrayDictGrain_ClearAsync_HugeWidthThenGetMany_RefusedBeforeAllocating()
    {
        var grain = await SeededGrainAsync();

        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxWidth), () => grain.ClearAsync(width: 2_147_483_591));
        Assert.Equal(new[] { 1.5 }, (await grain.GetManyAsync([1])).Values);
    }

    [Fact]
    public async Task ArrayDictGrain_GetManyAsync_WideRowsOverBytesPerCall_RefusedBeforeAllocating()
    {
        var grain = fixture.NewGrain();
        await grain.ClearAsync(width: Defaults.MaxWidth);

        // 200 rows of 65,536 values: 105 MB asked for with 1.6 kB of keys.
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxBytesPerCall), () => grain.GetManyAsync(new long[200]));
    }

    [Fact]
    public async Task ArrayDictGrain_BeginImportAsync_HugeRowCount_RefusedBeforeAllocating()
    {
        var grain = await SeededGrainAsync();

        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxRows), () => grain.BeginImportAsync(1, int.MaxValue));
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxBytes), () => grain.BeginImportAsync(Defaults.MaxWidth, 100_000));
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxWidth), () => grain.BeginImportAsync(int.MaxValue, 1));
    }

    [Fact]
    public async Task ArrayDictGrain_BeginImportAsync_RowsUnderLimit_AllocatesAsPagesArrive()
    {
        var grain = await SeededGrainAsync();
        long before = GC.GetTotalAllocatedBytes(precise: true);

        // 50 million rows of width 10 would be 4.4 GB if staged up front; within the limits, so accepted, and costs nothing yet.
        var import = await grain.BeginImportAsync(10, 50_000_000);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        await grain.AbortImportAsync(import);

        Assert.True(allocated < LimitAssert.SmallAllocation, $"Beginning an import allocated {allocated} bytes.");
        Assert.Equal(new[] { 1.5 }, (await grain.GetManyAsync([1])).Values);
    }

    [Fact]
    public async Task ArrayDictGrain_ExportPageAsync_HugePage_RefusedBeforeAllocating()
    {
        var grain = await SeededGrainAsync();

        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxRowsPerCall), () => grain.ExportPageAsync(0, int.MaxValue));
    }

    [Fact]
    public async Task ArrayDictGrain_ApplyAsync_EpochLongMaxValue_RefusedAndLaterEpochsStillApply()
    {
        var grain = await SeededGrainAsync();
        await grain.ApplyAsync(new ScaleMethod(2), epoch: 5);

        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxEpoch), () => grain.ApplyAsync(new ScaleMethod(2), epoch: long.MaxValue));
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxEpoch), () => grain.ApplyNextAsync(new ScaleMethod(2), long.MaxValue, 5));
        await grain.ApplyNextAsync(new ScaleMethod(2), 6, 5);

        Assert.Equal(6, (await grain.GetInfoAsync()).LastAppliedEpoch);
        Assert.Equal(6, await grain.GetValueAsync(1));
    }

    [Fact]
    public async Task ArrayDictGrain_Sw1Methods_HugeParameters_RefusedBeforeAllocating()
    {
        var grain = fixture.NewGrain();

        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxRows), () => grain.ApplyAsync(new Sw1FillMethod(new Sw1Parameters(Rows: int.MaxValue))));
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxBytes), () => grain.ApplyAsync(new Sw1FillMethod(new Sw1Parameters(Rows: 100_000_000, Width: 1000))));
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxWidth), () => grain.ApplyAsync(new Sw1FillMethod(new Sw1Parameters(Rows: 1, Width: int.MaxValue))));
        await grain.ApplyAsync(new Sw1FillMethod(new Sw1Parameters(Rows: 10)));
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxRowsPerCall), () => grain.ApplyAsync(new Sw1StepMethod(new Sw1Parameters(Rows: 10, Appends: int.MaxValue), 0, 0)));
        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxRowsPerCall), () => grain.ApplyAsync(new Sw1StepMethod(new Sw1Parameters(Rows: 10, Updates: int.MaxValue), 0, 0)));

        Assert.Equal(10, (await grain.GetInfoAsync()).Count);
    }

    [Fact]
    public async Task ArrayDictGrain_SetManyAsync_OverRowsPerCall_Refused()
    {
        var grain = await SeededGrainAsync();
        int rows = Defaults.MaxRowsPerCall + 1;

        await LimitAssert.RefusedAsync(grain, nameof(ArrayDictLimits.MaxRowsPerCall), () => grain.SetManyAsync(new RowBatch(1, new long[rows], new double[rows])), measureAllocation: false);
    }

    private async Task<IArrayDictGrain> SeededGrainAsync()
    {
        var grain = fixture.NewGrain();
        await grain.SetValueAsync(1, 1.5);
        await grain.SetValueAsync(2, 2.5);
        return grain;
    }
}
