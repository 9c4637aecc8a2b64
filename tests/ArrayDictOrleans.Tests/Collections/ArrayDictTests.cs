namespace ArrayDictOrleans.Tests.Collections;

public class ArrayDictTests
{
    public static TheoryData<long> Keys => new() { 0, 1, -1, 1234, 3_000_000_000L, long.MinValue, long.MaxValue };

    [Fact]
    public void ArrayDict_Constructor_Defaults_IsEmptyScalar()
    {
        var dict = new ArrayDict();

        Assert.Equal(1, dict.Width);
        Assert.Equal(0, dict.Count);
        Assert.Equal(0, dict.Capacity);
        Assert.Equal(0, dict.RowLimit);
        Assert.Equal(0, dict.FreeRowCount);
        Assert.True(dict.Values.IsEmpty);
        Assert.True(dict.RowKeys.IsEmpty);
        Assert.False(dict.IsRecordingChanges);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 10)]
    [InlineData(4, 7)]
    [InlineData(100, 1)]
    public void ArrayDict_Constructor_WidthAndCapacity_AreKept(int width, int capacity)
    {
        var dict = new ArrayDict(width, capacity);

        Assert.Equal(width, dict.Width);
        Assert.Equal(capacity, dict.Capacity);
        Assert.Equal(0, dict.Count);
        Assert.True(dict.MemoryBytes >= (long)capacity * (8 + (8 * width)));
    }

    [Fact]
    public void ArrayDict_Indexer_ScalarExample_ReadsWhatWasSet()
    {
        var a = new ArrayDict();

        a[1234] = 12.5;
        a[10] = 3;

        Assert.Equal(12.5, a[1234]);
        Assert.Equal(3, a[10]);
        Assert.Equal(2, a.Count);
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void ArrayDict_IndexerSet_MissingKey_AddsIt(long key)
    {
        var dict = new ArrayDict();

        dict[key] = 2.5;

        Assert.True(dict.ContainsKey(key));
        Assert.Equal(1, dict.Count);
        Assert.Equal(2.5, dict[key]);
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void ArrayDict_IndexerSet_ExistingKey_OverwritesInPlace(long key)
    {
        var dict = new ArrayDict();
        dict[key] = 1;
        int row = dict.IndexOf(key);

        dict[key] = -7.25;

        Assert.Equal(-7.25, dict[key]);
        Assert.Equal(1, dict.Count);
        Assert.Equal(row, dict.IndexOf(key));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void ArrayDict_GetRow_WriteThroughSpan_IsVisibleEverywhere(int width)
    {
        var dict = ArrayDictAssert.Filled(width, 10);

        var row = dict.GetRow(9);
        row[width - 1] = 99.5;

        Assert.Equal(99.5, dict.GetRowReadOnly(9)[width - 1]);
        Assert.Equal(99.5, dict.Values[(dict.IndexOf(9) * width) + width - 1]);
        Assert.True(dict.TryGetRow(9, out var viaTry));
        Assert.Equal(99.5, viaTry[width - 1]);
        if (width == 1)
        {
            Assert.Equal(99.5, dict[9]);
        }
    }

    [Fact]
    public void ArrayDict_GetRow_ReadOnlyView_SeesLaterWrites()
    {
        var dict = ArrayDictAssert.Filled(2, 3);
        var view = dict.GetRowReadOnly(3);

        dict.SetRow(3, [5, 6]);

        Assert.Equal([5.0, 6.0], view.ToArray());
    }

    [Fact]
    public void ArrayDict_GetRowAt_RowInUse_WritesThatRow()
    {
        var dict = ArrayDictAssert.Filled(2, 3);
        int row = dict.IndexOf(6);

        dict.GetRowAt(row)[1] = 42;

        Assert.Equal(42, dict.GetRowReadOnly(6)[1]);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    [InlineData(1)]
    public void ArrayDict_GetRowAt_RowNotInUse_ThrowsArgumentOutOfRange(int row)
    {
        var dict = ArrayDictAssert.Filled(2, 3);
        dict.Remove(3);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => dict.GetRowAt(row));

        Assert.Equal("row", error.ParamName);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void ArrayDict_GetOrAddRow_MissingKey_AddsZeroRow(int width)
    {
        var dict = ArrayDictAssert.Filled(width, 2);

        var row = dict.GetOrAddRow(100);

        Assert.Equal(new double[width], row.ToArray());
        Assert.Equal(3, dict.Count);
    }

    [Fact]
    public void ArrayDict_GetOrAddRow_ExistingKey_ReturnsItsRow()
    {
        var dict = ArrayDictAssert.Filled(2, 2);

        dict.GetOrAddRow(3)[0] = 8;

        Assert.Equal([8.0, 1.1], dict.GetRowReadOnly(3).ToArray());
        Assert.Equal(2, dict.Count);
    }

    [Fact]
    public void ArrayDict_TryGetValue_PresentKey_ReturnsTrueAndValue()
    {
        var dict = new ArrayDict { [5] = 1.5 };

        Assert.True(dict.TryGetValue(5, out double value));
        Assert.Equal(1.5, value);
    }

    [Fact]
    public void ArrayDict_TryGetValue_AbsentKey_ReturnsFalseAndZero()
    {
        var dict = new ArrayDict { [5] = 1.5 };

        Assert.False(dict.TryGetValue(6, out double value));
        Assert.Equal(0, value);
    }

    [Fact]
    public void ArrayDict_TryGetRow_PresentKey_ReturnsTheRow()
    {
        var dict = ArrayDictAssert.Filled(3, 4);

        Assert.True(dict.TryGetRow(6, out var row));
        Assert.Equal([2.0, 2.1, 2.2], row.ToArray());
    }

    [Fact]
    public void ArrayDict_TryGetRow_AbsentKey_ReturnsFalseAndEmpty()
    {
        var dict = ArrayDictAssert.Filled(3, 4);

        Assert.False(dict.TryGetRow(7, out var row));
        Assert.True(row.IsEmpty);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(9, true)]
    [InlineData(1, false)]
    [InlineData(12, false)]
    [InlineData(-3, false)]
    public void ArrayDict_ContainsKey_Key_TellsPresence(long key, bool expected)
    {
        var dict = ArrayDictAssert.Filled(1, 4);

        Assert.Equal(expected, dict.ContainsKey(key));
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void ArrayDict_AddScalar_NewKey_IsStored(long key)
    {
        var dict = new ArrayDict();

        dict.Add(key, 4.5);

        Assert.Equal(4.5, dict[key]);
        Assert.Equal(0, dict.IndexOf(key));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void ArrayDict_AddRow_NewKey_ReturnsZeroRowToFill(int width)
    {
        var dict = new ArrayDict(width);

        var row = dict.AddRow(77);
        Assert.Equal(new double[width], row.ToArray());
        row.Fill(2);

        Assert.All(dict.GetRowReadOnly(77).ToArray(), v => Assert.Equal(2, v));
    }

    [Fact]
    public void ArrayDict_AddSpan_NewKey_CopiesTheRow()
    {
        var dict = new ArrayDict(3);
        double[] values = [1, 2, 3];

        dict.Add(5, values);
        values[0] = 100;

        Assert.Equal([1.0, 2.0, 3.0], dict.GetRowReadOnly(5).ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void ArrayDict_SetRow_MissingThenExisting_AddsThenOverwrites(int width)
    {
        var dict = new ArrayDict(width);
        var first = Enumerable.Repeat(1.0, width).ToArray();
        var second = Enumerable.Range(0, width).Select(i => i * 2.0).ToArray();

        dict.SetRow(-5, first);
        int row = dict.IndexOf(-5);
        dict.SetRow(-5, second);

        Assert.Equal(second, dict.GetRowReadOnly(-5).ToArray());
        Assert.Equal(row, dict.IndexOf(-5));
        Assert.Equal(1, dict.Count);
    }

    [Fact]
    public void ArrayDict_Remove_PresentKey_RemovesItAndFreesItsRow()
    {
        var dict = ArrayDictAssert.Filled(1, 5);

        Assert.True(dict.Remove(6));

        Assert.False(dict.ContainsKey(6));
        Assert.Equal(-1, dict.IndexOf(6));
        Assert.Equal(4, dict.Count);
        Assert.Equal(5, dict.RowLimit);
        Assert.Equal(1, dict.FreeRowCount);
        Assert.False(dict.IsRowInUse(2));
        Assert.Equal(4, dict.Keys.Count());
    }

    [Fact]
    public void ArrayDict_Remove_AbsentKey_ReturnsFalseAndChangesNothing()
    {
        var dict = ArrayDictAssert.Filled(1, 5);
        var before = dict.Clone();

        Assert.False(dict.Remove(7));

        ArrayDictAssert.SameState(before, dict);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void ArrayDict_Insert_AfterRemove_ReusesTheFreedRow(int width)
    {
        var dict = ArrayDictAssert.Filled(width, 5);
        int freed = dict.IndexOf(6);
        dict.Remove(6);

        dict.AddRow(1000);

        Assert.Equal(freed, dict.IndexOf(1000));
        Assert.Equal(5, dict.RowLimit);
        Assert.Equal(0, dict.FreeRowCount);
    }

    [Fact]
    public void ArrayDict_Insert_AfterSeveralRemoves_ReusesFreedRowsLastFreedFirst()
    {
        var dict = ArrayDictAssert.Filled(1, 6);
        dict.Remove(3);
        dict.Remove(12);

        dict[100] = 1;
        dict[101] = 1;
        dict[102] = 1;

        Assert.Equal(4, dict.IndexOf(100));
        Assert.Equal(1, dict.IndexOf(101));
        Assert.Equal(6, dict.IndexOf(102));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ArrayDict_ReusedRow_StartsAtZero(int width)
    {
        var dict = ArrayDictAssert.Filled(width, 3);
        dict.Remove(3);

        Assert.Equal(new double[width], dict.AddRow(50).ToArray());
    }

    [Theory]
    [InlineData("clear")]
    [InlineData("compact")]
    [InlineData("rollback-add")]
    [InlineData("rollback-after-clear")]
    public void ArrayDict_NewRow_AfterRowsWereDropped_StartsAtZero(string how)
    {
        var dict = ArrayDictAssert.Filled(2, 4);
        switch (how)
        {
            case "clear":
                dict.Clear();
                break;
            case "compact":
                dict.Remove(0);
                dict.Compact();
                break;
            case "rollback-add":
                using (dict.BeginChanges())
                {
                    dict.SetRow(100, [7, 7]);
                }

                break;
            default:
                using (dict.BeginChanges())
                {
                    dict.SetRow(100, [7, 7]);
                    dict.Clear();
                }

                break;
        }

        Assert.Equal([0.0, 0.0], dict.AddRow(-1).ToArray());
        Assert.Equal([0.0, 0.0], dict.GetOrAddRow(-2).ToArray());
    }

    [Fact]
    public void ArrayDict_Clear_Filled_RemovesEverythingAndKeepsCapacity()
    {
        var dict = ArrayDictAssert.Filled(2, 10);
        dict.Remove(3);
        int capacity = dict.Capacity;

        dict.Clear();

        Assert.Equal(0, dict.Count);
        Assert.Equal(0, dict.RowLimit);
        Assert.Equal(0, dict.FreeRowCount);
        Assert.Equal(capacity, dict.Capacity);
        Assert.False(dict.ContainsKey(0));
        Assert.Empty(dict.Keys);
        dict.SetRow(0, [1, 2]);
        Assert.Equal(0, dict.IndexOf(0));
    }

    [Fact]
    public void ArrayDict_Counts_AfterAddsAndRemoves_AreConsistent()
    {
        var dict = new ArrayDict(2, 16);
        for (int i = 0; i < 10; i++)
        {
            dict.AddRow(i);
        }

        dict.Remove(2);
        dict.Remove(5);

        Assert.Equal(8, dict.Count);
        Assert.Equal(10, dict.RowLimit);
        Assert.Equal(2, dict.FreeRowCount);
        Assert.Equal(16, dict.Capacity);
        Assert.Equal(2, dict.Width);
        Assert.Equal(20, dict.Values.Length);
        Assert.Equal(10, dict.RowKeys.Length);
    }

    [Theory]
    [InlineData(1, new long[] { 5, -8, long.MaxValue })]
    [InlineData(3, new long[] { 0, long.MinValue, 77 })]
    public void ArrayDict_RawView_EveryKey_MatchesItsRow(int width, long[] keys)
    {
        var dict = new ArrayDict(width);
        for (int i = 0; i < keys.Length; i++)
        {
            dict.SetRow(keys[i], Enumerable.Repeat(i + 0.5, width).ToArray());
        }

        foreach (long key in keys)
        {
            int row = dict.IndexOf(key);
            Assert.Equal(key, dict.RowKeys[row]);
            Assert.Equal(dict.GetRowReadOnly(key).ToArray(), dict.Values.Slice(row * width, width).ToArray());
            if (width == 1)
            {
                Assert.Equal(dict[key], dict.Values[dict.IndexOf(key)]);
            }
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(1)]
    [InlineData(-1)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    public void ArrayDict_IndexOf_AbsentOrRemovedKey_ReturnsMinusOne(long key)
    {
        var dict = ArrayDictAssert.Filled(1, 100);
        dict.Remove(3);

        Assert.Equal(-1, dict.IndexOf(key));
    }

    [Fact]
    public void ArrayDict_IndexOf_EmptyDict_ReturnsMinusOne()
    {
        Assert.Equal(-1, new ArrayDict().IndexOf(0));
    }

    [Fact]
    public void ArrayDict_Clone_Filled_IsEqualAndIndependent()
    {
        var dict = ArrayDictAssert.Filled(3, 20);
        dict.Remove(9);
        dict.Remove(30);

        var copy = dict.Clone();

        ArrayDictAssert.SameState(dict, copy);
        Assert.Equal(dict.Capacity, copy.Capacity);
        copy.GetRow(0)[0] = 1000;
        copy.AddRow(1);
        copy.AddRow(2);
        Assert.Equal(0, dict.GetRowReadOnly(0)[0]);
        Assert.False(dict.ContainsKey(1));
        Assert.Equal(2, dict.FreeRowCount);
    }

    [Fact]
    public void ArrayDict_Clone_WithFreeRows_ReusesTheSameRowsAsTheOriginal()
    {
        var dict = ArrayDictAssert.Filled(1, 8);
        dict.Remove(3);
        dict.Remove(15);
        var copy = dict.Clone();

        dict[100] = 1;
        copy[100] = 1;
        dict[101] = 1;
        copy[101] = 1;

        Assert.Equal(dict.IndexOf(100), copy.IndexOf(100));
        Assert.Equal(dict.IndexOf(101), copy.IndexOf(101));
    }

    [Fact]
    public void ArrayDict_ContentEquals_SameContentInOtherRows_IsTrue()
    {
        var a = new ArrayDict { [1] = 10, [2] = 20 };
        var b = new ArrayDict { [2] = 20, [1] = 10 };

        Assert.True(a.ContentEquals(b));
        Assert.True(b.ContentEquals(a));
    }

    [Theory]
    [InlineData("value")]
    [InlineData("key")]
    [InlineData("count")]
    [InlineData("width")]
    public void ArrayDict_ContentEquals_Different_IsFalse(string difference)
    {
        var a = ArrayDictAssert.Filled(2, 5);
        var b = difference == "width" ? ArrayDictAssert.Filled(3, 5) : ArrayDictAssert.Filled(2, 5);
        switch (difference)
        {
            case "value":
                b.GetRow(6)[1] = -1;
                break;
            case "key":
                b.Remove(6);
                b.AddRow(7);
                break;
            case "count":
                b.AddRow(100);
                break;
        }

        Assert.False(a.ContentEquals(b));
        Assert.False(b.ContentEquals(a));
    }

    [Fact]
    public void ArrayDict_ContentEquals_Null_ThrowsArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => new ArrayDict().ContentEquals(null!));
    }

    [Fact]
    public void ArrayDict_MemoryBytes_Filled_CoversKeysValuesAndIndex()
    {
        var dict = ArrayDictAssert.Filled(4, 1000, capacity: 1000);

        Assert.InRange(dict.MemoryBytes, 1000L * (8 + 32 + 4), 1000L * (8 + 32 + 16));
    }
}
