namespace ArrayDictOrleans.Tests.Azure;

/// <summary>The container names the Azure tests use are ones Azure accepts, and never repeat.</summary>
public sealed class AzureContainerNameTests
{
    [Fact]
    public void AzuriteFixture_NewContainerName_TwoCalls_DifferAndAreValidContainerNames()
    {
        var first = AzuriteFixture.NewContainerName("conformance");
        var second = AzuriteFixture.NewContainerName("conformance");

        Assert.NotEqual(first, second);
        Assert.All(new[] { first, second }, name =>
        {
            Assert.InRange(name.Length, 3, 63);
            Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", name);
        });
    }

    [Theory]
    [InlineData("")]
    [InlineData("Upper")]
    [InlineData("double--hyphen")]
    [InlineData("-leading")]
    [InlineData("a-purpose-longer-than-thirty-chars")]
    public void AzuriteFixture_NewContainerName_InvalidPurpose_ThrowsArgumentException(string purpose)
    {
        Assert.Throws<ArgumentException>(() => AzuriteFixture.NewContainerName(purpose));
    }
}
