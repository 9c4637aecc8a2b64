namespace ArrayDictOrleans.Tests.Cli;

public sealed class BenchCommandTests
{
    [Fact]
    public async Task Bench_Json_SmallSize_ReportsEveryVariantAndBytesPerCall()
    {
        using var data = new TempDirectory();

        var result = await CliRunner.RunAsync(
            "bench", "--json", "--data-dir", data.Path, "--objects", "12", "--rows", "60", "--iterations", "3",
            "--bytes-rows", "100", "1000", "--bytes-objects", "2");

        var json = result.Json();
        var variants = json.GetProperty("variants").EnumerateArray().ToArray();
        Assert.Equal(["raw", "orleans-bare", "orleans", "orleans-journal", "orleans-snapshots", "orleans-json-snapshots"], variants.Select(v => v.GetProperty("name").GetString()));
        Assert.Equal(1.0, variants[0].GetProperty("ratioToRaw").GetDouble());
        foreach (var variant in variants)
        {
            Assert.True(variant.GetProperty("loopSeconds").GetDouble() > 0);
            Assert.True(variant.GetProperty("callsPerSecond").GetDouble() > 0);
            Assert.True(variant.GetProperty("ratioToRaw").GetDouble() > 0);
        }

        var bytes = json.GetProperty("bytesPerCall").EnumerateArray().ToArray();
        Assert.Equal([100, 1000], bytes.Select(b => b.GetProperty("rows").GetInt32()));
        Assert.All(bytes, b => Assert.True(b.GetProperty("bytes").GetDouble() > 0, "no bytes were measured over the gateway connection"));

        // Each variant had its own data directory under --data-dir, and deleted it.
        Assert.Empty(Directory.EnumerateFileSystemEntries(data.Path));
    }
}
