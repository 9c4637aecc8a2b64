using ArrayDictOrleans.Methods;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Tests.Security;

/// <summary>
/// Hostile values for every public method of <see cref="IArrayDictGrain"/>: what each call is, the exception it must
/// get, and a piece of that exception's message. Every call is made on an ArrayDict of width 2 holding keys 7 and 8,
/// last applied epoch 3.
/// </summary>
internal static class HostileGrainInputs
{
    public static IReadOnlyDictionary<string, HostileCall> Cases { get; } = new Dictionary<string, HostileCall>
    {
        ["GetValue: missing key long.MinValue"] = new(g => g.GetValueAsync(long.MinValue), typeof(InvalidOperationException), "width 1"),
        ["GetValue: on rows of width 2"] = new(g => g.GetValueAsync(7), typeof(InvalidOperationException), "rows of 2 values"),
        ["SetValue: on rows of width 2"] = new(g => g.SetValueAsync(9, 1), typeof(InvalidOperationException), "rows of 2 values"),
        ["GetRow: missing key -1"] = new(g => g.GetRowAsync(-1), typeof(KeyNotFoundException), "The key -1 is not present"),
        ["SetRow: null row"] = new(g => g.SetRowAsync(7, null!), typeof(ArgumentNullException), "values"),
        ["SetRow: empty row"] = new(g => g.SetRowAsync(7, []), typeof(ArgumentException), "has 0"),
        ["SetRow: row of 3 values for width 2"] = new(g => g.SetRowAsync(9, [1, 2, 3]), typeof(ArgumentException), "has 3"),
        ["GetMany: null keys"] = new(g => g.GetManyAsync(null!), typeof(ArgumentNullException), "keys"),
        ["GetMany: a missing key among present ones"] = new(g => g.GetManyAsync([7, 123456, 8]), typeof(KeyNotFoundException), "The key 123456"),
        ["GetMany: 1,000,001 keys"] = new(g => g.GetManyAsync(new long[1_000_001]), typeof(ArrayDictLimitExceededException), "MaxRowsPerCall"),
        ["SetMany: null batch"] = new(g => g.SetManyAsync(null!), typeof(ArgumentNullException), "rows"),
        ["SetMany: rows of width 3"] = new(g => g.SetManyAsync(new RowBatch(3, [9], [1, 2, 3])), typeof(ArgumentException), "rows of 3 values"),
        ["SetMany: values that do not make whole rows"] = new(g => g.SetManyAsync(new RowBatch(2, [9, 10], [1, 2, 3])), typeof(ArgumentException), "needs 4 values"),
        ["SetMany: null keys"] = new(g => g.SetManyAsync(new RowBatch(2, null!, [1, 2])), typeof(ArgumentNullException), "Keys"),
        ["SetMany: negative width"] = new(g => g.SetManyAsync(new RowBatch(-2, [9], [1, 2])), typeof(ArgumentException), "rows of -2 values"),
        ["Import: null"] = new(g => g.ImportAsync(null!), typeof(ArgumentNullException), "dict"),
        ["Import: rows of width 65,537"] = new(g => g.ImportAsync(new ArrayDict(65_537)), typeof(ArrayDictLimitExceededException), "MaxWidth"),
        ["ExportPage: negative start"] = new(g => g.ExportPageAsync(-1, 10), typeof(ArgumentOutOfRangeException), "startRow"),
        ["ExportPage: 0 rows"] = new(g => g.ExportPageAsync(0, 0), typeof(ArgumentOutOfRangeException), "maxRows"),
        ["ExportPage: int.MaxValue rows"] = new(g => g.ExportPageAsync(0, int.MaxValue), typeof(ArrayDictLimitExceededException), "MaxRowsPerCall"),
        ["BeginImport: width 0"] = new(g => g.BeginImportAsync(0, 1), typeof(ArgumentOutOfRangeException), "width"),
        ["BeginImport: -1 rows"] = new(g => g.BeginImportAsync(1, -1), typeof(ArgumentOutOfRangeException), "expectedRows"),
        ["BeginImport: int.MaxValue rows"] = new(g => g.BeginImportAsync(1, int.MaxValue), typeof(ArrayDictLimitExceededException), "MaxRows"),
        ["BeginImport: width int.MaxValue"] = new(g => g.BeginImportAsync(int.MaxValue, 1), typeof(ArrayDictLimitExceededException), "MaxWidth"),
        ["ImportPage: unknown import"] = new(g => g.ImportPageAsync(Guid.NewGuid(), new RowBatch(2, [9], [1, 2])), typeof(InvalidOperationException), "has no import"),
        ["ImportPage: null batch"] = new(g => g.ImportPageAsync(Guid.NewGuid(), null!), typeof(ArgumentNullException), "rows"),
        ["ImportPage: rows of the wrong width"] = new(async g => await g.ImportPageAsync(await g.BeginImportAsync(2, 1), new RowBatch(1, [9], [1])), typeof(ArgumentException), "rows of 1 values"),
        ["ImportPage: a key twice"] = new(async g => await g.ImportPageAsync(await g.BeginImportAsync(2, 2), new RowBatch(2, [9, 9], [1, 2, 3, 4])), typeof(ArgumentException), "the key 9 twice"),
        ["ImportPage: more rows than announced"] = new(async g => await g.ImportPageAsync(await g.BeginImportAsync(2, 1), new RowBatch(2, [9, 10], [1, 2, 3, 4])), typeof(InvalidOperationException), "announced 1 rows"),
        ["CommitImport: unknown import"] = new(g => g.CommitImportAsync(Guid.Empty), typeof(InvalidOperationException), "has no import"),
        ["CommitImport: fewer rows than announced"] = new(async g => await g.CommitImportAsync(await g.BeginImportAsync(2, 5)), typeof(InvalidOperationException), "received 0"),
        ["Clear: width 0"] = new(g => g.ClearAsync(0), typeof(ArgumentOutOfRangeException), "at least 1 value"),
        ["Clear: width -1"] = new(g => g.ClearAsync(-1), typeof(ArgumentOutOfRangeException), "at least 1 value"),
        ["Clear: width 2,147,483,591"] = new(g => g.ClearAsync(2_147_483_591), typeof(ArrayDictLimitExceededException), "MaxWidth"),
        ["ForceClear: width int.MinValue"] = new(g => g.ForceClearAsync(int.MinValue), typeof(ArgumentOutOfRangeException), "at least 1 value"),
        ["Apply: null method"] = new(g => g.ApplyAsync<int>(null!), typeof(ArgumentNullException), "method"),
        ["Apply: epoch -1"] = new(g => g.ApplyAsync(new ScaleMethod(2), -1), typeof(ArgumentOutOfRangeException), "epoch"),
        ["Apply: epoch long.MaxValue"] = new(g => g.ApplyAsync(new ScaleMethod(2), long.MaxValue), typeof(ArrayDictLimitExceededException), "MaxEpoch"),
        ["Apply: an epoch older than the last"] = new(g => g.ApplyAsync(new ScaleMethod(2), 2), typeof(StaleEpochException), "already applied epoch 3"),
        ["Apply: the last epoch with another method"] = new(g => g.ApplyAsync(new ScaleMethod(5), 3), typeof(KeptResultException), "another call"),
        ["Apply: upsert of rows of width 1"] = new(g => g.ApplyAsync(new UpsertRowsMethod(new RowBatch(1, [9], [1]))), typeof(ArgumentException), "rows of 1 values"),
        ["Apply: SW1 fill with 0 rows"] = new(g => g.ApplyAsync(new Sw1FillMethod(new Sw1Parameters(Rows: 0))), typeof(ArgumentOutOfRangeException), "Rows"),
        ["Apply: SW1 fill of a non-empty ArrayDict"] = new(g => g.ApplyAsync(new Sw1FillMethod(new Sw1Parameters(Rows: 2, Width: 2))), typeof(InvalidOperationException), "Clear it first"),
        ["Apply: SW1 fill with int.MaxValue rows"] = new(g => g.ApplyAsync(new Sw1FillMethod(new Sw1Parameters(Rows: int.MaxValue))), typeof(ArrayDictLimitExceededException), "MaxRows"),
        ["Apply: SW1 step with negative iteration"] = new(g => g.ApplyAsync(new Sw1StepMethod(new Sw1Parameters(Rows: 2, Width: 2), 0, -1)), typeof(ArgumentOutOfRangeException), "Iteration"),
        ["Apply: SW1 step with int.MaxValue appends"] = new(g => g.ApplyAsync(new Sw1StepMethod(new Sw1Parameters(Rows: 2, Width: 2, Appends: int.MaxValue), 0, 0)), typeof(ArrayDictLimitExceededException), "MaxRowsPerCall"),
        ["Apply: SW1 step with negative work"] = new(g => g.ApplyAsync(new Sw1StepMethod(new Sw1Parameters(Rows: 2, Width: 2, WorkIterations: -1), 0, 0)), typeof(ArgumentOutOfRangeException), "WorkIterations"),
        ["Apply: SW1 step on keys that are not there"] = new(g => g.ApplyAsync(new Sw1StepMethod(new Sw1Parameters(Rows: 1000, Width: 2), 1, 0)), typeof(KeyNotFoundException), "is not present"),
        ["ApplyNext: negative epoch"] = new(g => g.ApplyNextAsync(new ScaleMethod(2), -5, null), typeof(ArgumentOutOfRangeException), "epoch"),
        ["ApplyNext: after-epoch not before the epoch"] = new(g => g.ApplyNextAsync(new ScaleMethod(2), 5, 5), typeof(ArgumentOutOfRangeException), "comes before"),
        ["ApplyNext: negative after-epoch"] = new(g => g.ApplyNextAsync(new ScaleMethod(2), 5, -1), typeof(ArgumentOutOfRangeException), "comes before"),
        ["ApplyNext: wrong after-epoch"] = new(g => g.ApplyNextAsync(new ScaleMethod(2), 10, 7), typeof(EpochMismatchException), "3"),
        ["ApplyNext: epoch long.MaxValue"] = new(g => g.ApplyNextAsync(new ScaleMethod(2), long.MaxValue, 3), typeof(ArrayDictLimitExceededException), "MaxEpoch"),
    };

    /// <summary>Hostile-looking calls that are answered, not refused, and change nothing.</summary>
    public static IReadOnlyDictionary<string, Func<IArrayDictGrain, Task>> Harmless { get; } = new Dictionary<string, Func<IArrayDictGrain, Task>>
    {
        ["Remove: missing key long.MaxValue"] = async g => Assert.False(await g.RemoveAsync(long.MaxValue)),
        ["GetMany: no keys"] = async g => Assert.Equal(0, (await g.GetManyAsync([])).Count),
        ["ExportPage: start int.MaxValue"] = async g => Assert.Equal(-1, (await g.ExportPageAsync(int.MaxValue, 1)).NextRow),
        ["AbortImport: unknown import"] = g => g.AbortImportAsync(Guid.NewGuid()),
        ["Apply: the last epoch again (a retry)"] = g => g.ApplyAsync(new ScaleMethod(1), 3),
        ["Checkpoint: nothing unsaved"] = g => g.CheckpointAsync(),
        ["GetInfo"] = g => g.GetInfoAsync(),
        ["Export: whole"] = g => g.ExportAsync(),
    };

    public static TheoryData<string> Names => new(Cases.Keys);

    public static TheoryData<string> HarmlessNames => new(Harmless.Keys);
}

/// <summary>One hostile call: what it does, the exception it must get and a piece of its message.</summary>
internal sealed record HostileCall(Func<IArrayDictGrain, Task> Call, Type Expected, string Mentions);
