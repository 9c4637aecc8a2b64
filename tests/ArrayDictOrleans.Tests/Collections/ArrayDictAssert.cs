using System.Text.RegularExpressions;

namespace ArrayDictOrleans.Tests.Collections;

/// <summary>Assertions shared by the ArrayDict and snapshot tests.</summary>
internal static class ArrayDictAssert
{
    /// <summary>Builds a dict of <paramref name="rows"/> keys <c>3 * j</c> whose row values are <c>j + c / 10</c> for column c.</summary>
    public static ArrayDict Filled(int width, int rows, int capacity = 0)
    {
        var dict = new ArrayDict(width, capacity);
        var row = new double[width];
        for (int j = 0; j < rows; j++)
        {
            for (int c = 0; c < width; c++)
            {
                row[c] = j + (c / 10.0);
            }

            dict.Add(3L * j, row);
        }

        return dict;
    }

    /// <summary>
    /// Asserts that <paramref name="actual"/> is exactly <paramref name="expected"/>: the same keys in the same rows
    /// with the same values, and the same row limit, free rows and count.
    /// </summary>
    public static void SameState(ArrayDict expected, ArrayDict actual)
    {
        Assert.Equal(expected.Width, actual.Width);
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.RowLimit, actual.RowLimit);
        Assert.Equal(expected.FreeRowCount, actual.FreeRowCount);
        Assert.True(expected.ContentEquals(actual), "The contents differ.");
        Assert.True(actual.ContentEquals(expected), "The contents differ.");
        foreach (long key in expected.Keys)
        {
            Assert.Equal(expected.IndexOf(key), actual.IndexOf(key));
        }

        for (int row = -1; row <= expected.RowLimit + 1; row++)
        {
            Assert.Equal(expected.IsRowInUse(row), actual.IsRowInUse(row));
        }
    }

    /// <summary>Asserts that <paramref name="dict"/> holds exactly the keys and rows of <paramref name="model"/>.</summary>
    public static void MatchesModel(Dictionary<long, double[]> model, ArrayDict dict)
    {
        Assert.Equal(model.Count, dict.Count);
        Assert.Equal(dict.RowLimit - dict.FreeRowCount, dict.Count);
        foreach (var (key, values) in model)
        {
            int row = dict.IndexOf(key);
            Assert.True(row >= 0, $"The key {key} is missing.");
            Assert.True(dict.IsRowInUse(row));
            Assert.Equal(key, dict.RowKeys[row]);
            Assert.Equal(values, dict.GetRowReadOnly(key).ToArray());
            Assert.Equal(values, dict.Values.Slice(row * dict.Width, dict.Width).ToArray());
        }

        var enumerated = new List<long>();
        int previousRow = -1;
        foreach (var entry in dict)
        {
            Assert.True(entry.Row > previousRow, "Enumeration is not in row order.");
            previousRow = entry.Row;
            enumerated.Add(entry.Key);
            Assert.Equal(model[entry.Key], entry.Values.ToArray());
        }

        Assert.Equal(model.Count, enumerated.Count);
        Assert.Equal(model.Keys.Order(), enumerated.Order());
        Assert.Equal(enumerated, dict.Keys);
    }

    /// <summary>Asserts that <paramref name="message"/> mentions <paramref name="number"/> as a whole number.</summary>
    public static void Mentions(string message, long number) =>
        Assert.Matches(new Regex($@"(?<![\d-]){Regex.Escape(number.ToString(System.Globalization.CultureInfo.InvariantCulture))}(?!\d)"), message);
}
