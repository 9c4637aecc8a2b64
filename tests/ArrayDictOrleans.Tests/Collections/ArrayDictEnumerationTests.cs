namespace ArrayDictOrleans.Tests.Collections;

public class ArrayDictEnumerationTests
{
    public static TheoryData<string> StructuralChanges => new() { "add", "indexer-add", "set-row-add", "remove", "clear", "compact" };

    public static TheoryData<string> ValueWrites => new() { "indexer-set", "get-row", "set-row", "get-row-at", "get-or-add-existing", "absent-remove", "read" };

    [Fact]
    public void ArrayDict_Enumerate_WithHoles_YieldsRowsInOrderSkippingFreeRows()
    {
        var dict = ArrayDictAssert.Filled(2, 5);
        dict.Remove(3);
        dict.Remove(12);

        var seen = new List<(long Key, int Row, double[] Values)>();
        foreach (var entry in dict)
        {
            seen.Add((entry.Key, entry.Row, entry.Values.ToArray()));
        }

        Assert.Equal([0L, 6, 9], seen.Select(s => s.Key));
        Assert.Equal([0, 2, 3], seen.Select(s => s.Row));
        Assert.Equal([2.0, 2.1], seen[1].Values);
        Assert.Equal([0L, 6, 9], dict.Keys);
    }

    [Fact]
    public void ArrayDict_Enumerate_Empty_YieldsNothing()
    {
        int count = 0;
        foreach (var entry in new ArrayDict(3))
        {
            count++;
        }

        Assert.Equal(0, count);
        Assert.Empty(new ArrayDict().Keys);
    }

    [Fact]
    public void ArrayDict_Enumerate_Deconstruct_GivesKeyAndValues()
    {
        var dict = new ArrayDict { [7] = 1.5 };

        foreach (var (key, values) in dict)
        {
            Assert.Equal(7, key);
            Assert.Equal(1.5, values[0]);
        }
    }

    [Theory]
    [MemberData(nameof(StructuralChanges))]
    public void ArrayDict_Enumerate_StructuralChange_ThrowsInvalidOperation(string change)
    {
        var dict = ArrayDictAssert.Filled(1, 5);
        dict.Remove(6);

        var error = Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var entry in dict)
            {
                Apply(dict, change);
            }
        });

        Assert.Contains("enumerated", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(StructuralChanges))]
    public void ArrayDict_EnumerateKeys_StructuralChange_ThrowsInvalidOperation(string change)
    {
        var dict = ArrayDictAssert.Filled(1, 5);
        dict.Remove(6);

        Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (long key in dict.Keys)
            {
                Apply(dict, change);
            }
        });
    }

    [Theory]
    [MemberData(nameof(StructuralChanges))]
    public void ArrayDict_Enumerate_StructuralChangeOnLastRow_ThrowsInvalidOperation(string change)
    {
        var dict = ArrayDictAssert.Filled(1, 5);
        dict.Remove(6);

        Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var entry in dict)
            {
                if (entry.Key == 12)
                {
                    Apply(dict, change);
                }
            }
        });
    }

    [Theory]
    [MemberData(nameof(ValueWrites))]
    public void ArrayDict_Enumerate_ValueWrite_DoesNotThrowAndIsSeen(string change)
    {
        var dict = ArrayDictAssert.Filled(1, 5);
        var keys = new List<long>();

        foreach (var entry in dict)
        {
            keys.Add(entry.Key);
            Apply(dict, change);
        }

        foreach (long key in dict.Keys)
        {
            Apply(dict, change);
        }

        Assert.Equal([0L, 3, 6, 9, 12], keys);
        if (change is not "absent-remove" and not "read")
        {
            Assert.Equal(-1, dict[3]);
        }
    }

    private static void Apply(ArrayDict dict, string change)
    {
        switch (change)
        {
            case "add":
                dict.AddRow(1000 + dict.Count);
                break;
            case "indexer-add":
                dict[2000 + dict.Count] = 1;
                break;
            case "set-row-add":
                dict.SetRow(3000 + dict.Count, [1]);
                break;
            case "remove":
                dict.Remove(dict.Keys.First());
                break;
            case "clear":
                dict.Clear();
                break;
            case "compact":
                dict.Compact();
                break;
            case "indexer-set":
                dict[3] = -1;
                break;
            case "get-row":
                dict.GetRow(3)[0] = -1;
                break;
            case "set-row":
                dict.SetRow(3, [-1]);
                break;
            case "get-row-at":
                dict.GetRowAt(dict.IndexOf(3))[0] = -1;
                break;
            case "get-or-add-existing":
                dict.GetOrAddRow(3)[0] = -1;
                break;
            case "absent-remove":
                dict.Remove(-12345);
                break;
            case "read":
                _ = dict.GetRowReadOnly(3)[0] + dict.IndexOf(3);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(change), change, "Unknown change.");
        }
    }
}
