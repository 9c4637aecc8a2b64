namespace ArrayDictOrleans.Tests.Collections;

/// <summary>
/// The two ways a change scope keeps old values: one copy of every value (a small ArrayDict) and row by row (a large one).
/// Every case runs both ways and must restore, or report, exactly the same.
/// </summary>
public sealed class ArrayDictChangeScopeWaysTests
{
    private const int Width = 3;

    public static TheoryData<string, string> WaysAndEndings => new()
    {
        { "copy", "rollback" },
        { "copy", "dispose" },
        { "log", "rollback" },
        { "log", "dispose" },
    };

    public static TheoryData<string> Ways => new() { "copy", "log" };

    [Theory]
    [MemberData(nameof(WaysAndEndings))]
    public void ArrayDictChangeScope_EndWithoutCommit_WritesAddsReusedRowsRemovesAndGrowth_RestoresExactly(string way, string ending)
    {
        var dict = Make(way);
        dict.Remove(6);
        dict.Remove(21);
        var before = dict.Clone();

        var scope = BeginExpecting(dict, way);
        dict.GetRow(0)[0] = -1;
        dict.SetRow(3, [7, 7, 7]);
        dict.GetRowAt(dict.IndexOf(9))[2] = 9;
        dict.AddRow(-1000).Fill(1);
        dict.AddRow(-1001).Fill(2);
        dict.AddRow(-1002).Fill(3);
        dict.GetRow(-1000)[1] = 10;
        for (int i = 0; dict.Capacity == before.Capacity; i++)
        {
            dict.AddRow(-5000 - i).Fill(i);
        }

        dict.Remove(12);
        dict.Remove(-1001);
        dict.GetRow(0)[1] = -2;
        dict.GetRow(24)[0] = 24;
        dict.AddRow(-2000).Fill(20);
        dict.SetRow(12, [12, 12, 12]);
        Assert.True(dict.Capacity > before.Capacity);
        End(scope, ending);

        AssertRestored(before, dict);
    }

    [Theory]
    [MemberData(nameof(WaysAndEndings))]
    public void ArrayDictChangeScope_EndWithoutCommit_WritesAroundCompact_RestoresExactly(string way, string ending)
    {
        var dict = Make(way);
        dict.Remove(3);
        var before = dict.Clone();

        var scope = BeginExpecting(dict, way);
        dict.GetRow(0)[0] = -1;
        dict.GetRow(30)[2] = -3;
        dict.Remove(9);
        dict.Compact();
        dict.GetRow(0)[1] = -2;
        dict.GetRow(60)[0] = -6;
        dict.AddRow(-1000).Fill(1);
        End(scope, ending);

        AssertRestored(before, dict);
    }

    [Theory]
    [MemberData(nameof(WaysAndEndings))]
    public void ArrayDictChangeScope_EndWithoutCommit_WritesClearAndAdds_RestoresExactly(string way, string ending)
    {
        var dict = Make(way);
        var before = dict.Clone();

        var scope = BeginExpecting(dict, way);
        dict.GetRow(6)[0] = -1;
        dict.Clear();
        dict.AddRow(6).Fill(6);
        dict.AddRow(7).Fill(7);
        dict.GetRow(6)[1] = -6;
        End(scope, ending);

        AssertRestored(before, dict);
    }

    [Theory]
    [MemberData(nameof(Ways))]
    public void ArrayDictChangeScope_RemoveFirst_ThenWrites_RestoresExactly(string way)
    {
        var dict = Make(way);
        var before = dict.Clone();

        var scope = BeginExpecting(dict, way);
        dict.Remove(0);
        dict.GetRow(3)[0] = -3;
        dict.AddRow(0).Fill(-1);
        scope.Rollback();

        AssertRestored(before, dict);
    }

    [Theory]
    [MemberData(nameof(Ways))]
    public void ArrayDictChangeScope_Commit_ThenNextScopeRollsBack_RestoresTheCommittedState(string way)
    {
        var dict = Make(way);
        var first = BeginExpecting(dict, way);
        dict.GetRow(0)[0] = -1;
        dict.GetRow(3)[0] = -3;
        dict.AddRow(-1000).Fill(1);
        first.Commit();
        var committed = dict.Clone();

        var second = dict.BeginChanges();
        dict.GetRow(0)[0] = -10;
        dict.GetRow(3)[1] = -30;
        dict.GetRow(-1000)[2] = -100;
        dict.GetRow(6)[0] = -60;
        Assert.Equal(4, second.RecordedChanges);
        second.Rollback();

        AssertRestored(committed, dict);
        Assert.Equal(-1, dict.GetRowReadOnly(0)[0]);
    }

    [Theory]
    [MemberData(nameof(Ways))]
    public void ArrayDictChangeScope_ChangedKeys_WritesAndAddsIntoFreeRows_ListsEachPresentKeyOnce(string way)
    {
        var dict = Make(way);
        dict.Remove(6);
        dict.Remove(9);
        using var scope = BeginExpecting(dict, way);

        dict.GetRow(12)[0] = 1;
        dict.AddRow(-1000).Fill(1);
        dict.AddRow(-1001).Fill(1);
        dict.AddRow(-1002).Fill(1);
        dict.GetRow(-1001)[0] = 2;
        dict.GetRow(0)[0] = 1;
        dict.GetRow(12)[1] = 1;

        var changed = scope.ChangedKeys;
        Assert.Equal([-1002L, -1001, -1000, 0, 12], changed.Order());
        Assert.Equal([-1000L, -1001, -1002], changed.Where(key => key < 0));
        Assert.Empty(scope.RemovedKeys);
        Assert.Equal(5, scope.RecordedChanges);
        Assert.False(scope.TouchedEveryRow);
    }

    [Theory]
    [MemberData(nameof(Ways))]
    public void ArrayDictChangeScope_ChangedAndRemovedKeys_WritesBeforeAndAfterRemoves_ListEachKeyOnce(string way)
    {
        var dict = Make(way);
        using var scope = BeginExpecting(dict, way);

        dict.GetRow(0)[0] = 1;
        dict.GetRow(3)[0] = 1;
        dict.AddRow(-1000).Fill(1);
        dict.Remove(3);
        dict.Remove(6);
        dict.GetRow(0)[1] = 1;
        dict.GetRow(9)[0] = 1;
        dict.AddRow(-1001).Fill(1);
        dict.Remove(-1000);

        Assert.Equal([-1001L, 0, 9], scope.ChangedKeys.Order());
        Assert.Equal([-1000L, 3, 6], scope.RemovedKeys.Order());
    }

    [Fact]
    public void ArrayDictChangeScope_Way_FollowsWhatThePreviousScopeWrote()
    {
        var dict = ArrayDictAssert.Filled(1, 2000);

        var first = dict.BeginChanges();
        Assert.False(first.CopiesValues);
        for (int j = 0; j < 100; j++)
        {
            dict.GetRow(3L * j)[0] = -j;
        }

        first.Commit();

        var second = dict.BeginChanges();
        Assert.True(second.CopiesValues);
        dict.GetRow(0)[0] = 1;
        second.Commit();

        var third = dict.BeginChanges();
        Assert.False(third.CopiesValues);
        third.Commit();
    }

    [Fact]
    public void ArrayDictChangeScope_Way_SmallArrayDict_CopiesAndLargeOneLogs()
    {
        var small = Make("copy");
        var large = Make("log");

        using var copying = small.BeginChanges();
        using var logging = large.BeginChanges();

        Assert.True(copying.CopiesValues);
        Assert.False(logging.CopiesValues);
    }

    /// <summary>40 rows (120 values) are copied; 30,000 rows (90,000 values) are more than a copy takes, and are logged.</summary>
    private static ArrayDict Make(string way) => ArrayDictAssert.Filled(Width, way == "copy" ? 40 : 30_000);

    private static ArrayDictChangeScope BeginExpecting(ArrayDict dict, string way)
    {
        var scope = dict.BeginChanges();
        Assert.Equal(way == "copy", scope.CopiesValues);
        return scope;
    }

    private static void End(ArrayDictChangeScope scope, string ending)
    {
        if (ending == "rollback")
        {
            scope.Rollback();
        }
        else
        {
            scope.Dispose();
        }

        Assert.False(scope.IsActive);
    }

    private static void AssertRestored(ArrayDict before, ArrayDict dict)
    {
        Assert.False(dict.IsRecordingChanges);
        ArrayDictAssert.SameState(before, dict);
        for (int row = 0; row < before.RowLimit; row++)
        {
            if (before.IsRowInUse(row))
            {
                Assert.Equal(before.Values.Slice(row * Width, Width).ToArray(), dict.Values.Slice(row * Width, Width).ToArray());
            }
        }
    }
}
