namespace ArrayDictOrleans.Tests.Collections;

public class ArrayDictChangeScopeTests
{
    public static TheoryData<string> EndingWithoutCommit => new() { "rollback", "dispose" };

    public static TheoryData<string> Endings => new() { "commit", "rollback" };

    [Fact]
    public void ArrayDict_BeginChanges_Idle_StartsRecording()
    {
        var dict = ArrayDictAssert.Filled(1, 3);

        using var scope = dict.BeginChanges();

        Assert.True(dict.IsRecordingChanges);
        Assert.True(scope.IsActive);
        Assert.Equal(0, scope.RecordedChanges);
        Assert.False(scope.TouchedEveryRow);
        Assert.Empty(scope.ChangedKeys);
        Assert.Empty(scope.RemovedKeys);
    }

    [Theory]
    [MemberData(nameof(EndingWithoutCommit))]
    public void ArrayDictChangeScope_EndWithoutCommit_OnEmptyArrayDict_EmptiesItAgainWithoutLoggingEachRow(string ending)
    {
        var dict = new ArrayDict(2);
        var before = dict.Clone();

        var scope = dict.BeginChanges();
        for (long key = 0; key < 5000; key++)
        {
            dict.AddRow(key * 3)[1] = key;
        }

        dict.Remove(30);
        dict.SetRow(3, [4, 4]);

        Assert.Equal(1, scope.RecordedChanges);
        Assert.False(scope.TouchedEveryRow);
        Assert.Equal(dict.Keys.Order(), scope.ChangedKeys.Order());
        Assert.Empty(scope.RemovedKeys);
        if (ending == "rollback")
        {
            scope.Rollback();
        }
        else
        {
            scope.Dispose();
        }

        ArrayDictAssert.SameState(before, dict);
        dict.AddRow(7)[0] = 1;
        Assert.Equal(1, dict.Count);
    }

    [Fact]
    public void ArrayDictChangeScope_OnEmptyArrayDict_NoChange_RecordsNothing()
    {
        var dict = new ArrayDict(1);

        using var scope = dict.BeginChanges();
        Assert.False(dict.ContainsKey(1));

        Assert.Equal(0, scope.RecordedChanges);
        Assert.False(scope.TouchedEveryRow);
        Assert.Empty(scope.ChangedKeys);
    }

    [Fact]
    public void ArrayDictChangeScope_Commit_AfterChanges_KeepsThemAndStopsRecording()
    {
        var dict = ArrayDictAssert.Filled(1, 3);
        var scope = dict.BeginChanges();
        dict[0] = 100;
        dict[50] = 5;
        dict.Remove(3);

        scope.Commit();
        scope.Dispose();

        Assert.False(scope.IsActive);
        Assert.False(dict.IsRecordingChanges);
        Assert.Equal(100, dict[0]);
        Assert.Equal(5, dict[50]);
        Assert.False(dict.ContainsKey(3));
        Assert.Equal(3, dict.Count);
    }

    [Theory]
    [MemberData(nameof(EndingWithoutCommit))]
    public void ArrayDictChangeScope_EndWithoutCommit_AfterEveryKindOfChange_RestoresExactly(string ending)
    {
        var dict = ArrayDictAssert.Filled(3, 10);
        dict.Remove(6);
        dict.Remove(21);
        var before = dict.Clone();

        var scope = dict.BeginChanges();
        dict.GetRow(0)[0] = -1;
        dict.GetRow(0)[1] = -2;
        dict.SetRow(3, [7, 7, 7]);
        dict.GetRowAt(dict.IndexOf(9))[2] = 9;
        dict.GetOrAddRow(12)[1] = 12;
        dict.Remove(15);
        dict.AddRow(1000)[0] = 1;
        dict.AddRow(1001)[0] = 1;
        dict.Add(1002, [2, 2, 2]);
        dict.SetRow(1003, [3, 3, 3]);
        dict.GetOrAddRow(1004)[2] = 4;
        for (int i = 0; i < 40; i++)
        {
            dict.AddRow(5000 + i).Fill(i);
        }

        dict.Remove(1001);
        dict.Remove(18);
        dict.SetRow(18, [18, 18, 18]);
        Assert.True(dict.Capacity > before.Capacity);
        if (ending == "rollback")
        {
            scope.Rollback();
        }
        else
        {
            scope.Dispose();
        }

        Assert.False(scope.IsActive);
        Assert.False(dict.IsRecordingChanges);
        ArrayDictAssert.SameState(before, dict);
        Assert.Equal(before.Values.Length, dict.Values.Length);
        for (int row = 0; row < before.RowLimit; row++)
        {
            if (before.IsRowInUse(row))
            {
                Assert.Equal(before.Values.Slice(row * 3, 3).ToArray(), dict.Values.Slice(row * 3, 3).ToArray());
            }
        }
    }

    [Fact]
    public void ArrayDictChangeScope_Rollback_ThenInserts_ReuseTheSameRowsAsBefore()
    {
        var dict = ArrayDictAssert.Filled(1, 10);
        dict.Remove(3);
        dict.Remove(12);
        dict.Remove(24);
        var before = dict.Clone();

        using (var scope = dict.BeginChanges())
        {
            dict[1] = 1;
            dict.Remove(0);
            dict[2] = 2;
            dict[3] = 3;
            dict[4] = 4;
        }

        foreach (long key in new long[] { 100, 101, 102, 103 })
        {
            dict[key] = key;
            before[key] = key;
            Assert.Equal(before.IndexOf(key), dict.IndexOf(key));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ArrayDictChangeScope_Rollback_AfterClear_RestoresExactly(int width)
    {
        var dict = ArrayDictAssert.Filled(width, 20);
        dict.Remove(9);
        var before = dict.Clone();

        var scope = dict.BeginChanges();
        dict.GetRow(0)[0] = 99;
        dict.Remove(3);
        dict.Clear();
        dict.AddRow(5).Fill(5);
        dict.AddRow(6).Fill(6);
        dict.Remove(5);
        Assert.True(scope.TouchedEveryRow);
        scope.Rollback();

        ArrayDictAssert.SameState(before, dict);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ArrayDictChangeScope_Rollback_AfterCompact_RestoresRowsAndFreeRows(int width)
    {
        var dict = ArrayDictAssert.Filled(width, 20);
        dict.Remove(9);
        dict.Remove(30);
        var before = dict.Clone();

        var scope = dict.BeginChanges();
        dict.GetRow(57)[0] = -57;
        dict.Remove(0);
        dict.Compact();
        dict.GetRow(57)[0] = -58;
        dict.AddRow(1000);
        dict.Remove(54);
        dict.Compact();
        dict.TrimExcess();
        dict.AddRow(2000);
        Assert.True(scope.TouchedEveryRow);
        scope.Rollback();

        ArrayDictAssert.SameState(before, dict);
    }

    [Fact]
    public void ArrayDictChangeScope_Rollback_AfterTrimExcessThenGrowth_RestoresExactly()
    {
        var dict = ArrayDictAssert.Filled(2, 30, capacity: 64);
        dict.Remove(3);
        var before = dict.Clone();

        var scope = dict.BeginChanges();
        dict.TrimExcess();
        Assert.Equal(29, dict.Capacity);
        for (int i = 0; i < 100; i++)
        {
            dict.AddRow(-i - 1);
        }

        scope.Rollback();

        ArrayDictAssert.SameState(before, dict);
    }

    [Fact]
    public void ArrayDictChangeScope_Rollback_NoChanges_ChangesNothing()
    {
        var dict = ArrayDictAssert.Filled(2, 5);
        var before = dict.Clone();

        dict.BeginChanges().Rollback();

        ArrayDictAssert.SameState(before, dict);
    }

    [Fact]
    public void ArrayDict_BeginChanges_WhileRecording_ThrowsInvalidOperation()
    {
        var dict = ArrayDictAssert.Filled(1, 3);
        using var scope = dict.BeginChanges();

        var error = Assert.Throws<InvalidOperationException>(() => dict.BeginChanges());

        Assert.Contains("already recording", error.Message, StringComparison.Ordinal);
        Assert.True(scope.IsActive);
    }

    [Theory]
    [InlineData("commit", "commit")]
    [InlineData("commit", "rollback")]
    [InlineData("rollback", "rollback")]
    [InlineData("rollback", "commit")]
    public void ArrayDictChangeScope_EndTwice_ThrowsInvalidOperation(string first, string second)
    {
        var dict = ArrayDictAssert.Filled(1, 3);
        var scope = dict.BeginChanges();
        dict[0] = 5;
        End(scope, first);
        double after = dict[0];

        var error = Assert.Throws<InvalidOperationException>(() => End(scope, second));

        Assert.Contains("already been committed or rolled back", error.Message, StringComparison.Ordinal);
        Assert.Equal(after, dict[0]);
        scope.Dispose();
        Assert.Equal(after, dict[0]);
    }

    [Theory]
    [InlineData("commit")]
    [InlineData("rollback")]
    public void ArrayDict_BeginChanges_AfterScopeEnded_StartsANewScope(string ending)
    {
        var dict = ArrayDictAssert.Filled(1, 3);
        var first = dict.BeginChanges();
        dict[0] = 5;
        End(first, ending);

        using var second = dict.BeginChanges();
        dict[3] = 7;

        Assert.Equal(1, second.RecordedChanges);
        Assert.Throws<InvalidOperationException>(first.Commit);
    }

    [Fact]
    public void ArrayDictChangeScope_OldScope_AfterNewScopeBegan_DoesNotDetachIt()
    {
        var dict = ArrayDictAssert.Filled(1, 3);
        var first = dict.BeginChanges();
        first.Commit();
        var second = dict.BeginChanges();

        first.Dispose();
        dict[0] = 42;
        second.Rollback();

        Assert.Equal(0, dict[0]);
    }

    [Fact]
    public void ArrayDictChangeScope_ChangedAndRemovedKeys_AfterChanges_ListEachKeyOnce()
    {
        var dict = ArrayDictAssert.Filled(1, 6);
        using var scope = dict.BeginChanges();

        dict[0] = 1;
        dict[0] = 2;
        dict.GetRow(3)[0] = 3;
        dict[100] = 4;
        dict.Remove(6);
        dict.Remove(9);
        dict[9] = 9;
        _ = dict[12] + dict.GetRowReadOnly(15)[0];

        Assert.Equal([0L, 3, 9, 100], scope.ChangedKeys.Order());
        Assert.Equal([6L], scope.RemovedKeys);
    }

    [Fact]
    public void ArrayDictChangeScope_Reads_AreNotRecorded()
    {
        var dict = ArrayDictAssert.Filled(1, 100);
        using var scope = dict.BeginChanges();

        double sum = 0;
        for (long key = 0; key < 300; key += 3)
        {
            sum += dict[key] + dict.GetRowReadOnly(key)[0] + dict.Values[dict.IndexOf(key)];
            Assert.True(dict.TryGetRow(key, out var row));
            Assert.True(dict.TryGetValue(key, out double value));
            sum += row[0] + value;
            Assert.True(dict.ContainsKey(key));
        }

        foreach (var entry in dict)
        {
            sum += entry.Values[0];
        }

        _ = dict.Keys.Count();
        _ = dict.Clone();
        Assert.False(dict.Remove(-1));
        Assert.False(dict.TryGetRow(-1, out _));

        Assert.True(sum > 0);
        Assert.Equal(0, scope.RecordedChanges);
        Assert.Empty(scope.ChangedKeys);
        Assert.Empty(scope.RemovedKeys);
    }

    [Fact]
    public void ArrayDictChangeScope_WriteWithoutValueChange_IsStillRecordedOnce()
    {
        var dict = ArrayDictAssert.Filled(2, 10);
        using var scope = dict.BeginChanges();

        dict.GetRow(3);
        dict.GetRow(3);
        dict.SetRow(3, [1, 1.1]);

        Assert.Equal(1, scope.RecordedChanges);
        Assert.Equal([3L], scope.ChangedKeys);
    }

    [Fact]
    public void ArrayDictChangeScope_Record_MillionRowsTenTouched_HoldsTenEntries()
    {
        const int Rows = 1_000_000;
        var dict = new ArrayDict(1, Rows);
        for (int j = 0; j < Rows; j++)
        {
            dict[3L * j] = j;
        }

        var scope = dict.BeginChanges();
        for (int t = 0; t < 10; t++)
        {
            long key = 3L * ((t * 7919) % Rows);
            dict[key] = -1;
            dict[key] = -2;
            dict.GetRow(key)[0] = -3;
        }

        Assert.Equal(10, scope.RecordedChanges);
        Assert.Equal(10, scope.ChangedKeys.Count);
        scope.Rollback();

        for (int t = 0; t < 10; t++)
        {
            int j = (t * 7919) % Rows;
            Assert.Equal(j, dict[3L * j]);
        }
    }

    [Fact]
    public void ArrayDictChangeScope_Record_AddsAndRemoves_OneEntryEach()
    {
        var dict = ArrayDictAssert.Filled(1, 1000);
        using var scope = dict.BeginChanges();

        dict[-1] = 1;
        dict[-1] = 2;
        dict.Remove(3);
        dict.Remove(6);
        dict[-2] = 1;

        Assert.Equal(4, scope.RecordedChanges);
    }

    [Fact]
    public void ArrayDictChangeScope_Rollback_FailedMethodPattern_LeavesDictAsBefore()
    {
        var dict = ArrayDictAssert.Filled(1, 50);
        var before = dict.Clone();

        Assert.Throws<KeyNotFoundException>(() =>
        {
            using var scope = dict.BeginChanges();
            dict[0] = 1000;
            dict[-5] = 5;
            dict.Remove(9);
            _ = dict[-999];
            scope.Commit();
        });

        ArrayDictAssert.SameState(before, dict);
        Assert.False(dict.IsRecordingChanges);
    }

    [Theory]
    [MemberData(nameof(Endings))]
    public void ArrayDictChangeScope_NextScope_AfterEnding_RecordsTheSameRowsAgainAndRollsBackExactly(string ending)
    {
        var dict = ArrayDictAssert.Filled(2, 100);
        using (var first = dict.BeginChanges())
        {
            for (long key = 0; key < 150; key += 3)
            {
                dict.GetRow(key)[0] = -key;
            }

            dict.AddRow(-1).Fill(1);
            End(first, ending);
        }

        var before = dict.Clone();
        var second = dict.BeginChanges();
        for (long key = 0; key < 150; key += 3)
        {
            dict.GetRow(key)[1] = key;
        }

        dict.AddRow(-2).Fill(2);
        if (dict.ContainsKey(-1))
        {
            dict.GetRow(-1)[0] = 7;
        }

        Assert.Equal(50 + 1 + (dict.ContainsKey(-1) ? 1 : 0), second.RecordedChanges);
        Assert.Equal(second.RecordedChanges, second.ChangedKeys.Count);
        second.Rollback();

        ArrayDictAssert.SameState(before, dict);
    }

    [Fact]
    public void ArrayDictChangeScope_NextScope_OnAnotherArrayDict_RecordsItsOwnRows()
    {
        var large = ArrayDictAssert.Filled(1, 1000);
        var small = ArrayDictAssert.Filled(3, 10);
        var smallBefore = small.Clone();
        using (var scope = large.BeginChanges())
        {
            for (long key = 0; key < 30; key += 3)
            {
                large[key] = -1;
            }

            scope.Commit();
        }

        using (var scope = small.BeginChanges())
        {
            for (long key = 0; key < 30; key += 3)
            {
                small.GetRow(key).Fill(-1);
            }

            Assert.Equal(10, scope.RecordedChanges);
        }

        ArrayDictAssert.SameState(smallBefore, small);
        Assert.Equal(-1, large[27]);
    }

    [Fact]
    public void ArrayDictChangeScope_ScopesOnTwoArrayDictsAtOnce_RecordApart()
    {
        var a = ArrayDictAssert.Filled(1, 50);
        var b = ArrayDictAssert.Filled(1, 50);
        var aBefore = a.Clone();

        var scopeA = a.BeginChanges();
        var scopeB = b.BeginChanges();
        a[0] = 100;
        b[0] = 200;
        b[3] = 201;
        a.Remove(6);
        b[1000] = 1;
        Assert.Equal(2, scopeA.RecordedChanges);
        Assert.Equal(3, scopeB.RecordedChanges);
        scopeB.Commit();
        scopeA.Rollback();

        ArrayDictAssert.SameState(aBefore, a);
        Assert.Equal([200.0, 201, 1], [b[0], b[3], b[1000]]);
        Assert.False(a.IsRecordingChanges);
        Assert.False(b.IsRecordingChanges);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void ArrayDictChangeScope_Rollback_AfterGrowingSeveralTimes_RestoresExactly(int width)
    {
        var dict = ArrayDictAssert.Filled(width, 5);
        dict.Remove(6);
        var before = dict.Clone();
        int capacity = dict.Capacity;

        var scope = dict.BeginChanges();
        for (int i = 0; i < 3000; i++)
        {
            dict.AddRow(100_000 + i).Fill(i);
            if (i % 7 == 0)
            {
                dict.GetRow(100_000 + (i / 2)).Fill(-i);
                dict.GetRow(3 * (i % 5 == 0 ? 0 : 4)).Fill(-i);
            }
        }

        dict.Remove(100_010);
        dict.Add(100_010, Enumerable.Repeat(5.0, width).ToArray());
        Assert.True(dict.Capacity > capacity * 64, "The rows outgrew the first words of the record's row marks.");
        scope.Rollback();

        ArrayDictAssert.SameState(before, dict);
    }

    [Fact]
    public void ArrayDictChangeScope_UnusuallyLargeScope_ThenSmallScopes_RecordAndRollBackExactly()
    {
        var dict = ArrayDictAssert.Filled(1, 100_000);
        using (var large = dict.BeginChanges())
        {
            for (long key = 0; key < 300_000; key += 3)
            {
                dict[key] += 1;
            }

            Assert.Equal(100_000, large.RecordedChanges);
            large.Commit();
        }

        for (int round = 0; round < 3; round++)
        {
            var before = dict.Clone();
            var scope = dict.BeginChanges();
            dict[3L * round] = -1;
            dict[-1 - round] = 1;
            Assert.Equal(2, scope.RecordedChanges);
            scope.Rollback();
            ArrayDictAssert.SameState(before, dict);
        }
    }

    [Theory]
    [MemberData(nameof(Endings))]
    public void ArrayDictChangeScope_Ended_KeepsItsCountsButNotItsKeys(string ending)
    {
        var dict = ArrayDictAssert.Filled(1, 10);
        var scope = dict.BeginChanges();
        dict[0] = 5;
        dict.Clear();
        dict[1] = 1;

        End(scope, ending);

        Assert.Equal(3, scope.RecordedChanges);
        Assert.True(scope.TouchedEveryRow);
        Assert.Throws<InvalidOperationException>(() => scope.ChangedKeys);
        Assert.Throws<InvalidOperationException>(() => scope.RemovedKeys);
    }

    [Fact]
    public void ArrayDictChangeScope_ChangedKeys_WritesAndAddsOnly_ListsEachKeyOnceAddsInOrder()
    {
        var dict = ArrayDictAssert.Filled(1, 10);
        using var scope = dict.BeginChanges();

        dict[9] = 1;
        dict[101] = 2;
        dict[9] = 3;
        dict[101] = 4;
        dict.GetRow(0)[0] = 5;
        dict.GetOrAddRow(100)[0] = 6;
        dict.GetRow(100)[0] = 7;

        var changed = scope.ChangedKeys.ToList();
        Assert.Equal([0L, 9, 100, 101], changed.Order());
        Assert.True(changed.IndexOf(101) < changed.IndexOf(100), "Added keys come in the order they were added.");
        Assert.Empty(scope.RemovedKeys);
        Assert.Equal(4, scope.RecordedChanges);
    }

    private static void End(ArrayDictChangeScope scope, string how)
    {
        if (how == "commit")
        {
            scope.Commit();
        }
        else
        {
            scope.Rollback();
        }
    }
}
