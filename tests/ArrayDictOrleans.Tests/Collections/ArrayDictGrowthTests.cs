namespace ArrayDictOrleans.Tests.Collections;

public class ArrayDictGrowthTests
{
    [Fact]
    public void ArrayDict_Insert_FromEmpty_DoublesCapacityFromFour()
    {
        var dict = new ArrayDict();
        var capacities = new List<int>();

        for (int i = 0; i < 100; i++)
        {
            dict[i] = i;
            if (capacities.Count == 0 || capacities[^1] != dict.Capacity)
            {
                capacities.Add(dict.Capacity);
            }
        }

        Assert.Equal([4, 8, 16, 32, 64, 128], capacities);
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(3, 5)]
    [InlineData(2, 1)]
    public void ArrayDict_Insert_WhenFull_DoublesCapacity(int width, int capacity)
    {
        var dict = new ArrayDict(width, capacity);
        for (int i = 0; i < capacity; i++)
        {
            dict.AddRow(i);
        }

        Assert.Equal(capacity, dict.Capacity);
        dict.AddRow(capacity);

        Assert.Equal(Math.Max(4, capacity * 2), dict.Capacity);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void ArrayDict_Growth_ManyInserts_EveryKeyKeepsItsRowAndValues(int width)
    {
        var dict = new ArrayDict(width);
        var rows = new Dictionary<long, int>();
        for (int j = 0; j < 5000; j++)
        {
            long key = (j * 7919L) - 1_000_000;
            dict.GetOrAddRow(key).Fill(j);
            rows[key] = dict.IndexOf(key);
            if (j % 97 == 0)
            {
                foreach (var (k, row) in rows)
                {
                    Assert.Equal(row, dict.IndexOf(k));
                }
            }
        }

        foreach (var (key, row) in rows)
        {
            Assert.Equal(row, dict.IndexOf(key));
            Assert.Equal(row, dict.GetRowReadOnly(key)[0]);
        }

        Assert.Equal(8192, dict.Capacity);
    }

    [Fact]
    public void ArrayDict_Growth_WithFreeRows_KeepsFreeRowsAndRows()
    {
        var dict = ArrayDictAssert.Filled(2, 4);
        dict.Remove(3);
        dict.EnsureCapacity(100);

        dict.AddRow(1000);
        Assert.Equal(1, dict.IndexOf(1000));
        dict.AddRow(1001);

        Assert.Equal(4, dict.IndexOf(1001));
        Assert.Equal([3.0, 3.1], dict.GetRowReadOnly(9).ToArray());
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(0, 10, 10)]
    [InlineData(10, 5, 10)]
    [InlineData(10, 11, 11)]
    public void ArrayDict_EnsureCapacity_Requested_ReturnsAtLeastThatAndNeverShrinks(int initial, int requested, int expected)
    {
        var dict = new ArrayDict(2, initial);

        Assert.Equal(expected, dict.EnsureCapacity(requested));
        Assert.Equal(expected, dict.Capacity);
    }

    [Fact]
    public void ArrayDict_EnsureCapacity_Filled_KeepsKeysRowsAndValues()
    {
        var dict = ArrayDictAssert.Filled(3, 50);
        dict.Remove(30);
        var before = dict.Clone();

        dict.EnsureCapacity(10_000);

        ArrayDictAssert.SameState(before, dict);
        for (int i = 0; i < 9000; i++)
        {
            dict.AddRow(1_000_000 + i);
        }

        Assert.Equal(10_000, dict.Capacity);
    }

    [Fact]
    public void ArrayDict_Compact_WithHoles_ClosesThemAndKeepsEveryKeysValues()
    {
        var dict = ArrayDictAssert.Filled(3, 20);
        var model = new Dictionary<long, double[]>();
        foreach (var entry in dict)
        {
            model[entry.Key] = entry.Values.ToArray();
        }

        foreach (long key in new long[] { 0, 9, 27, 30, 57 })
        {
            dict.Remove(key);
            model.Remove(key);
        }

        dict.Compact();

        Assert.Equal(15, dict.Count);
        Assert.Equal(dict.Count, dict.RowLimit);
        Assert.Equal(0, dict.FreeRowCount);
        for (int row = 0; row < dict.Count; row++)
        {
            Assert.True(dict.IsRowInUse(row));
        }

        ArrayDictAssert.MatchesModel(model, dict);
    }

    [Fact]
    public void ArrayDict_Compact_OnlyTailRemoved_KeepsRowsOfTheRest()
    {
        var dict = ArrayDictAssert.Filled(1, 6);
        dict.Remove(12);
        dict.Remove(15);

        dict.Compact();

        Assert.Equal(4, dict.RowLimit);
        Assert.Equal([0L, 3, 6, 9], dict.Keys);
        Assert.Equal([0, 1, 2, 3], dict.Keys.Select(dict.IndexOf));
    }

    [Fact]
    public void ArrayDict_Compact_AllRemoved_LeavesEmpty()
    {
        var dict = ArrayDictAssert.Filled(2, 6);
        foreach (long key in dict.Keys.ToList())
        {
            dict.Remove(key);
        }

        dict.Compact();

        Assert.Equal(0, dict.RowLimit);
        Assert.Equal(0, dict.FreeRowCount);
        dict.AddRow(1);
        Assert.Equal(0, dict.IndexOf(1));
    }

    [Fact]
    public void ArrayDict_Compact_NoHoles_ChangesNothing()
    {
        var dict = ArrayDictAssert.Filled(2, 6);
        var before = dict.Clone();

        dict.Compact();

        ArrayDictAssert.SameState(before, dict);
    }

    [Fact]
    public void ArrayDict_Compact_ThenInsert_AppendsAfterTheLastRow()
    {
        var dict = ArrayDictAssert.Filled(2, 6);
        dict.Remove(3);

        dict.Compact();
        var row = dict.AddRow(99);

        Assert.Equal(5, dict.IndexOf(99));
        Assert.Equal([0.0, 0.0], row.ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void ArrayDict_TrimExcess_WithHoles_ShrinksToCountAndKeepsValues(int width)
    {
        var dict = ArrayDictAssert.Filled(width, 100);
        var model = new Dictionary<long, double[]>();
        foreach (var entry in dict)
        {
            model[entry.Key] = entry.Values.ToArray();
        }

        for (long key = 0; key < 300; key += 9)
        {
            dict.Remove(key);
            model.Remove(key);
        }

        dict.TrimExcess();

        Assert.Equal(dict.Count, dict.Capacity);
        Assert.Equal(dict.Count, dict.RowLimit);
        ArrayDictAssert.MatchesModel(model, dict);
        dict.AddRow(-1);
        Assert.Equal(dict.Count - 1, dict.IndexOf(-1));
    }

    [Fact]
    public void ArrayDict_TrimExcess_Empty_ShrinksToZeroAndStillGrows()
    {
        var dict = new ArrayDict(1, 100);

        dict.TrimExcess();
        Assert.Equal(0, dict.Capacity);
        dict[5] = 1;

        Assert.Equal(4, dict.Capacity);
        Assert.Equal(1, dict[5]);
    }
}
