using ArrayDictOrleans.Client.Cli;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Tests.Cli;

public sealed class Sw1ReferenceTests
{
    [Theory]
    [InlineData(1000, 1000, 1045000, 197176109.375, "equal")]
    [InlineData(1000, 1000, 1045000, 197176109.375 * (1 + 1e-12), "equal")]
    [InlineData(1000, 1000, 1045000, 197176110.375, "different")]
    [InlineData(1000, 1000, 1045001, 197176109.375, "different")]
    [InlineData(100, 100000, 10004420, 249449926095.0, "equal")]
    [InlineData(10000, 100, 1450000, 11654711.9140625, "equal")]
    [InlineData(10, 1000, 10450, 1971761.09375, null)]
    public void Sw1Reference_Compare_PublicAndOtherSizes_SaysEqualDifferentOrNone(int objects, int rows, long totalRows, double checksum, string? expected)
    {
        var parameters = new Sw1Parameters(objects, rows, WorkIterations: 500);

        Assert.Equal(expected, Sw1Reference.Compare(parameters, totalRows, checksum));
    }

    [Fact]
    public void Sw1Reference_Describe_Different_NamesTheExpectedValues()
    {
        string line = Sw1Reference.Describe(new Sw1Parameters(), "different");

        Assert.Equal("DIFFERENT: expected totalRows 1,045,000, checksum 197176109.375", line);
    }
}
