using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Tests.Workload;

public sealed class Sw1Tests
{
    /// <summary>The reference values of shared/workload.md, from an independent implementation with exact summation.</summary>
    [Theory]
    [InlineData(1000, 1000, 100, 10, 8, 1, 4500, 1045000, 197176109.375)]
    [InlineData(100, 100000, 100, 10, 8, 1, 442, 10004420, 249449926095.0)]
    [InlineData(10000, 100, 100, 10, 8, 1, 45000, 1450000, 11654711.9140625)]
    public void Sw1_PlainLoop_MatchesReferenceValues(int n, int r, int u, int a, int t, int w, long calls, long totalRows, double checksum)
    {
        var parameters = new Sw1Parameters(n, r, u, a, t, w);

        var run = PlainSw1Loop.Run(parameters);

        Assert.Equal(calls, run.Calls);
        Assert.Equal(calls, parameters.TotalCalls());
        Assert.Equal(t, run.Iterations);
        Assert.Equal(totalRows, run.TotalRows);
        Assert.Equal(checksum, run.Checksum, checksum * 1e-9);
    }

    [Fact]
    public void Sw1_Step_UpdatesAppendsAndSumsAsSpecified()
    {
        var parameters = new Sw1Parameters(Objects: 4, Rows: 4, Updates: 1, Appends: 2, Budget: 4, Width: 2);
        var dict = new ArrayDict(2);
        Sw1.Fill(dict, parameters);

        var result = Sw1.Step(dict, parameters, objectId: 3, iteration: 1);

        // Update u=0: key 3 * ((3*31 + 1*17 + 0) mod 4) = 6, row j=2 held 1.0 and becomes 1.0 * 0.5 + 1.
        Assert.Equal(new[] { 1.5, 1.5 }, dict.GetRowReadOnly(6).ToArray());

        // Appends a=0,1: keys 3*4 + 3*(1*2 + a) + 1 = 19, 22 with values t + a = 1, 2.
        Assert.Equal(new[] { 1.0, 1.0 }, dict.GetRowReadOnly(19).ToArray());
        Assert.Equal(new[] { 2.0, 2.0 }, dict.GetRowReadOnly(22).ToArray());
        Assert.Equal(6, result.Rows);
        Assert.Equal(2 * (0 + 0.5 + 1.5 + 1.5 + 1 + 2), result.Sum);
        Assert.False(result.Done);
    }

    [Fact]
    public void Sw1_Step_LastCallOfObject_SaysDone()
    {
        var parameters = new Sw1Parameters(Objects: 10, Rows: 10, Budget: 4);
        var dict = new ArrayDict();
        Sw1.Fill(dict, parameters);

        Assert.False(Sw1.Step(dict, parameters, objectId: 6, iteration: 1).Done);
        Assert.True(Sw1.Step(dict, parameters, objectId: 6, iteration: 2).Done);
    }

    [Fact]
    public void Sw1FillMethod_DictNotEmpty_ThrowsInvalidOperation()
    {
        var dict = new ArrayDict();
        dict[1] = 1;

        var error = Assert.Throws<InvalidOperationException>(() => new Sw1FillMethod(new Sw1Parameters()).Invoke(dict));
        Assert.Contains("Clear it first", error.Message);
    }

    [Fact]
    public void Sw1FillMethod_AppliedTwice_SecondChangesNothing()
    {
        var parameters = new Sw1Parameters(Objects: 1, Rows: 40, Width: 2);
        var dict = new ArrayDict(2);
        var fill = new Sw1FillMethod(parameters);
        Assert.Equal(40, fill.Invoke(dict));
        var once = dict.Clone();

        using var scope = dict.BeginChanges();
        Assert.Equal(40, fill.Invoke(dict));

        Assert.True(dict.ContentEquals(once));
        Assert.Empty(scope.ChangedKeys);
    }

    [Fact]
    public void Sw1FillMethod_DictChangedSinceFill_ThrowsInvalidOperation()
    {
        var parameters = new Sw1Parameters(Objects: 1, Rows: 40);
        var dict = new ArrayDict();
        new Sw1FillMethod(parameters).Invoke(dict);
        Sw1.Step(dict, parameters, objectId: 0, iteration: 0);

        var error = Assert.Throws<InvalidOperationException>(() => new Sw1FillMethod(parameters).Invoke(dict));
        Assert.Contains("not SW1's initial state", error.Message);
    }

    [Theory]
    [InlineData(-1, 1, 1, 1, 1, 1, "Objects")]
    [InlineData(1, 0, 1, 1, 1, 1, "Rows")]
    [InlineData(1, 1, -1, 1, 1, 1, "Updates")]
    [InlineData(1, 1, 1, -1, 1, 1, "Appends")]
    [InlineData(1, 1, 1, 1, 0, 1, "Budget")]
    [InlineData(1, 1, 1, 1, 1, 0, "Width")]
    public void Sw1Parameters_Validate_OutOfRange_NamesParameter(int n, int r, int u, int a, int t, int w, string name)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Sw1Parameters(n, r, u, a, t, w).Validate());
        Assert.Equal(name, error.ParamName);
    }

    [Fact]
    public void Sw1Parameters_Validate_NegativeWorkIterations_NamesParameter()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Sw1Parameters(WorkIterations: -1).Validate());
        Assert.Equal(nameof(Sw1Parameters.WorkIterations), error.ParamName);
    }

    [Fact]
    public void Sw1_Step_WithWork_SameRowsAndSumAsWithout()
    {
        var plain = new Sw1Parameters(Objects: 5, Rows: 50, Updates: 20, Appends: 3, Budget: 3);
        var working = plain with { WorkIterations = 10_000 };
        var plainDict = new ArrayDict();
        var workingDict = new ArrayDict();
        Sw1.Fill(plainDict, plain);
        Sw1.Fill(workingDict, working);

        for (int t = 0; t < 3; t++)
        {
            var without = Sw1.Step(plainDict, plain, objectId: 4, t);
            var with = Sw1.Step(workingDict, working, objectId: 4, t);

            Assert.Equal(without.Sum, with.Sum);
            Assert.Equal(without.Rows, with.Rows);
            Assert.Equal(without.Done, with.Done);
            Assert.Equal(0UL, without.WorkResult);
            Assert.Equal(Sw1Work.Run(10_000, objectId: 4, t), with.WorkResult);
        }

        Assert.Equal(plainDict.RowKeys.ToArray(), workingDict.RowKeys.ToArray());
        Assert.Equal(plainDict.Values.ToArray(), workingDict.Values.ToArray());
    }

    [Fact]
    public void Sw1Work_Run_IsDeterministicAndDependsOnEveryInput()
    {
        ulong result = Sw1Work.Run(1000, objectId: 7, iteration: 2);

        Assert.Equal(result, Sw1Work.Run(1000, objectId: 7, iteration: 2));
        Assert.NotEqual(0UL, result);
        Assert.NotEqual(result, Sw1Work.Run(1001, objectId: 7, iteration: 2));
        Assert.NotEqual(result, Sw1Work.Run(1000, objectId: 8, iteration: 2));
        Assert.NotEqual(result, Sw1Work.Run(1000, objectId: 7, iteration: 3));
        Assert.Equal(0UL, Sw1Work.Run(0, objectId: 7, iteration: 2));
    }

    [Fact]
    public void Sw1Work_Run_NegativeIterations_ThrowsArgumentOutOfRange()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Sw1Work.Run(-1, objectId: 0, iteration: 0));
        Assert.Equal("iterations", error.ParamName);
    }
}
