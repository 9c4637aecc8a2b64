using Xunit.Abstractions;

namespace ArrayDictOrleans.Tests.Azure;

/// <summary>The account the Azure tests run against answers.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzuriteFixtureTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    [Fact]
    public async Task AzuriteFixture_ConnectionString_BlobServiceAnswers()
    {
        output.WriteLine($"Azure Storage: {azurite.Source}");

        var failure = await AzuriteFixture.ProbeAsync(azurite.ConnectionString, TimeSpan.FromSeconds(5));

        Assert.Null(failure);
    }
}
