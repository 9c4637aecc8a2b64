namespace ArrayDictOrleans.Tests.Collections;

public class ArrayDictErrorTests
{
    public static TheoryData<long, string> MissingKeyAccess
    {
        get
        {
            var data = new TheoryData<long, string>();
            foreach (long key in new[] { 42L, -42L, long.MinValue, long.MaxValue })
            {
                foreach (string access in new[] { "indexer", "get-row", "get-row-read-only" })
                {
                    data.Add(key, access);
                }
            }

            return data;
        }
    }

    public static TheoryData<string> ScalarOnlyOperations => new() { "indexer-get", "indexer-set", "try-get-value", "add-value" };

    [Theory]
    [MemberData(nameof(MissingKeyAccess))]
    public void ArrayDict_Access_MissingKey_ThrowsKeyNotFoundNamingTheKey(long key, string access)
    {
        var dict = new ArrayDict { [1] = 1, [43] = 2, [-41] = 3 };

        var error = Assert.Throws<KeyNotFoundException>(() =>
        {
            switch (access)
            {
                case "indexer":
                    _ = dict[key];
                    break;
                case "get-row":
                    dict.GetRow(key);
                    break;
                default:
                    dict.GetRowReadOnly(key);
                    break;
            }
        });

        ArrayDictAssert.Mentions(error.Message, key);
    }

    [Fact]
    public void ArrayDict_Add_DuplicateScalarKey_ThrowsArgumentAndKeepsTheValue()
    {
        var dict = new ArrayDict { [5] = 1 };

        var error = Assert.Throws<ArgumentException>(() => dict.Add(5, 2));

        Assert.Equal("key", error.ParamName);
        ArrayDictAssert.Mentions(error.Message, 5);
        Assert.Equal(1, dict[5]);
        Assert.Equal(1, dict.Count);
    }

    [Theory]
    [InlineData("add-span")]
    [InlineData("add-row")]
    public void ArrayDict_Add_DuplicateRowKey_ThrowsArgument(string how)
    {
        var dict = ArrayDictAssert.Filled(2, 3);
        var before = dict.Clone();

        var error = Assert.Throws<ArgumentException>(() =>
        {
            if (how == "add-span")
            {
                dict.Add(6, [9, 9]);
            }
            else
            {
                dict.AddRow(6);
            }
        });

        ArrayDictAssert.Mentions(error.Message, 6);
        ArrayDictAssert.SameState(before, dict);
    }

    [Theory]
    [InlineData(3, 2, "set-row")]
    [InlineData(3, 5, "set-row")]
    [InlineData(3, 0, "set-row")]
    [InlineData(1, 2, "set-row")]
    [InlineData(3, 2, "add")]
    [InlineData(4, 7, "add")]
    [InlineData(1, 0, "add")]
    public void ArrayDict_RowWrite_WrongLength_ThrowsArgumentNamingBothLengths(int width, int length, string how)
    {
        var dict = ArrayDictAssert.Filled(width, 2);
        var before = dict.Clone();
        var row = new double[length];

        var error = Assert.Throws<ArgumentException>(() =>
        {
            if (how == "set-row")
            {
                dict.SetRow(100, row);
            }
            else
            {
                dict.Add(100, row);
            }
        });

        Assert.Equal("values", error.ParamName);
        ArrayDictAssert.Mentions(error.Message, width);
        ArrayDictAssert.Mentions(error.Message, length);
        ArrayDictAssert.SameState(before, dict);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void ArrayDict_Constructor_WidthBelowOne_ThrowsArgumentOutOfRange(int width)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ArrayDict(width));

        Assert.Equal("width", error.ParamName);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void ArrayDict_Constructor_NegativeCapacity_ThrowsArgumentOutOfRange(int capacity)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ArrayDict(1, capacity));

        Assert.Equal("capacity", error.ParamName);
    }

    [Theory]
    [InlineData(1, int.MaxValue)]
    [InlineData(1000, 3_000_000)]
    public void ArrayDict_Constructor_CapacityBeyondLargestArray_ThrowsArgumentOutOfRange(int width, int capacity)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ArrayDict(width, capacity));

        Assert.Equal("capacity", error.ParamName);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void ArrayDict_EnsureCapacity_NegativeOrTooLarge_ThrowsArgumentOutOfRange(int capacity)
    {
        var dict = ArrayDictAssert.Filled(1, 3);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => dict.EnsureCapacity(capacity));

        Assert.Equal("capacity", error.ParamName);
        Assert.Equal(3, dict.Count);
    }

    [Theory]
    [MemberData(nameof(ScalarOnlyOperations))]
    public void ArrayDict_ScalarOperation_WidthAboveOne_ThrowsInvalidOperationSayingUseRowAccess(string operation)
    {
        var dict = ArrayDictAssert.Filled(3, 2);

        var error = Assert.Throws<InvalidOperationException>(() =>
        {
            switch (operation)
            {
                case "indexer-get":
                    _ = dict[0];
                    break;
                case "indexer-set":
                    dict[0] = 1;
                    break;
                case "try-get-value":
                    dict.TryGetValue(0, out _);
                    break;
                default:
                    dict.Add(100, 1.0);
                    break;
            }
        });

        Assert.Contains("GetRow", error.Message, StringComparison.Ordinal);
        Assert.Contains("3 values", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, dict.Count);
        Assert.Equal([0.0, 0.1, 0.2], dict.GetRowReadOnly(0).ToArray());
    }
}
