using System.Net;
using System.Net.Sockets;

namespace ArrayDictOrleans.Tests.Cli;

/// <summary>Bad input: one clear line on stderr, a non-zero exit code, no stack trace, nothing on stdout.</summary>
public sealed class BadInputTests
{
    [Theory]
    [InlineData("Unrecognized command or argument 'frobnicate'", "frobnicate")]
    [InlineData("Unrecognized command or argument '--bogus'", "run", "--bogus")]
    [InlineData("--objects is -5", "run", "--objects", "-5")]
    [InlineData("--rows is 0", "run", "--rows", "0")]
    [InlineData("--width is 0", "run", "--width", "0")]
    [InlineData("'abc'", "run", "--rows", "abc")]
    [InlineData("more than one .NET array holds", "run", "--rows", "400000000", "--width", "100")]
    [InlineData("Required command was not provided")]
    [InlineData("'x'", "info", "x")]
    [InlineData("'abc' is not a number", "set", "1", "2", "abc")]
    [InlineData("--page-rows is 0", "export", "1", "--out", "a.npz", "--page-rows", "0")]
    [InlineData("--out", "export", "1")]
    [InlineData("'.txt' names no known format", "export", "1", "--out", "a.txt")]
    [InlineData("--variants has 'fast'", "bench", "--variants", "fast")]
    [InlineData("--warmup is -1", "bench", "--warmup", "-1")]
    [InlineData("--connect-timeout is 0", "info", "1", "--connect-timeout", "0")]
    [InlineData("--storage is 'Disk'", "info", "1", "--storage", "Disk")]
    public async Task Cli_BadUsage_ExitsTwoWithOneLine(string mentions, params string[] args)
    {
        var result = await CliRunner.RunAsync(args);

        result.AssertFailed(2, mentions);
    }

    [Fact]
    public async Task Cli_UnreachableGateway_ExitsOneAfterBoundedWait()
    {
        int port = UnusedPort();
        var started = DateTime.UtcNow;

        var result = await CliRunner.RunAsync("info", "1", "--gateway", $"127.0.0.1:{port}", "--connect-timeout", "2");

        result.AssertFailed(1, $"Could not connect to the ArrayDict cluster at 127.0.0.1:{port} within 2 s");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30), "connecting was not bounded by --connect-timeout");
    }

    [Fact]
    public async Task Cli_ImportMissingFile_ExitsOne()
    {
        using var data = new TempDirectory();

        var result = await CliRunner.RunAsync("import", "1", "--in", data.File("absent.npz"), "--data-dir", data.Path);

        result.AssertFailed(1, "does not exist");
    }

    [Theory]
    [InlineData("garbage.adsnap", "is not an ArrayDict snapshot")]
    [InlineData("garbage.npz", "is not a numpy .npz file")]
    public async Task Cli_ImportWrongFormat_ExitsOne(string name, string mentions)
    {
        using var data = new TempDirectory();
        await File.WriteAllTextAsync(data.File(name), "these bytes are text, long enough to pass for a header at first sight........");

        var result = await CliRunner.RunAsync("import", "1", "--in", data.File(name), "--data-dir", data.Path);

        result.AssertFailed(1, mentions);
    }

    [Fact]
    public async Task Cli_ExportIntoMissingDirectory_ExitsOne()
    {
        using var data = new TempDirectory();

        var result = await CliRunner.RunAsync("export", "1", "--out", data.File("no/such/dir/a.npz"), "--data-dir", data.Path);

        result.AssertFailed(1, "does not exist");
    }

    [Fact]
    public async Task Cli_GetMissingKey_ExitsOneNamingTheKey()
    {
        using var data = new TempDirectory();

        var result = await CliRunner.RunAsync("get", "4", "123456", "--data-dir", data.Path);

        result.AssertFailed(1, "The key 123456 is not present");
    }

    [Fact]
    public async Task Cli_AsRealProcess_UnknownCommandExitsTwo()
    {
        var result = await CliRunner.RunProcessAsync(TimeSpan.FromMinutes(1), "frobnicate");

        result.AssertFailed(2, "frobnicate");
    }

    [Fact]
    public async Task Cli_Verbose_AddsStackTrace()
    {
        using var data = new TempDirectory();

        var result = await CliRunner.RunAsync("import", "1", "--in", data.File("absent.npz"), "--verbose");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("   at ", result.Stderr);
    }

    private static int UnusedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
