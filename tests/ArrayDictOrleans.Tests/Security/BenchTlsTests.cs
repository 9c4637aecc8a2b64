using ArrayDictOrleans.Tests.Cli;
using ArrayDictOrleans.Tests.Workload;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Tests.Security;

public sealed class BenchTlsTests
{
    [Fact]
    public async Task Bench_LoopbackVariantsPlainAndTls_BothRunSw1ToTheReferenceResult()
    {
        using var data = new TempDirectory();

        var result = await CliRunner.RunAsync(
            "bench", "--json", "--no-bytes", "--data-dir", data.Path, "--objects", "6", "--rows", "30", "--iterations", "3",
            "--variants", "orleans-loopback", "orleans-loopback-tls");

        var json = result.Json();
        var variants = json.GetProperty("variants").EnumerateArray().ToArray();
        Assert.Equal(["orleans-loopback", "orleans-loopback-tls"], variants.Select(v => v.GetProperty("name").GetString()));
        Assert.All(variants, v => Assert.True(v.GetProperty("callsPerSecond").GetDouble() > 0));
        var expected = PlainSw1Loop.Run(new Sw1Parameters(Objects: 6, Rows: 30, Budget: 3));
        Assert.Equal(expected.TotalRows, json.GetProperty("totalRows").GetInt64());
    }
}
