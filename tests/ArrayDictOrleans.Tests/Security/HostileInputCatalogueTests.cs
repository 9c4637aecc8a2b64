using System.Security.Cryptography;
using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Methods;
using ArrayDictOrleans.Tests.Cli;
using ArrayDictOrleans.Tests.Grains;
using ArrayDictOrleans.Tests.Limits;

namespace ArrayDictOrleans.Tests.Security;

/// <summary>
/// The hostile-input catalogue (docs/security.md): every public grain method and every command of the program, called
/// with hostile values (negative, huge, empty, mismatched widths, damaged files, a text file named .npz). Each gets a
/// clear error of the expected kind, and the data is unchanged afterwards.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class HostileInputCatalogueTests(ClusterFixture fixture, SeededDataDirectory seeded) : IClassFixture<SeededDataDirectory>
{
    [Theory]
    [MemberData(nameof(HostileGrainInputs.Names), MemberType = typeof(HostileGrainInputs))]
    public async Task ArrayDictGrain_HostileCall_ClearErrorAndDataUnchanged(string name)
    {
        var hostile = HostileGrainInputs.Cases[name];
        var grain = await SeededGrainAsync();
        var before = await LimitAssert.ReadAllAsync(grain);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => hostile.Call(grain));

        Assert.IsAssignableFrom(hostile.Expected, error);
        Assert.Contains(hostile.Mentions, error.Message, StringComparison.Ordinal);
        await AssertUnchangedAsync(grain, before);
    }

    [Theory]
    [MemberData(nameof(HostileGrainInputs.HarmlessNames), MemberType = typeof(HostileGrainInputs))]
    public async Task ArrayDictGrain_HarmlessOddCall_AnsweredAndDataUnchanged(string name)
    {
        var grain = await SeededGrainAsync();
        var before = await LimitAssert.ReadAllAsync(grain);

        await HostileGrainInputs.Harmless[name](grain);

        await AssertUnchangedAsync(grain, before);
    }

    [Theory]
    [MemberData(nameof(HostileCliInputs.Names), MemberType = typeof(HostileCliInputs))]
    public async Task Cli_HostileCommand_OneClearLineAndDataUnchanged(string name)
    {
        var (args, exitCode, mentions) = HostileCliInputs.Cases[name];
        using var data = new TempDirectory();
        seeded.CopyTo(data.Path);
        HostileFiles.WriteAll(data.Path);
        string dataDir = Path.Combine(data.Path, "data");
        var filesBefore = SeededDataDirectory.Fingerprint(dataDir);

        var result = await CliRunner.RunAsync([.. args.Select(a => a.Replace("{dir}", data.Path, StringComparison.Ordinal)), "--data-dir", dataDir]);

        result.AssertFailed(exitCode, mentions);
        Assert.Equal(filesBefore, SeededDataDirectory.Fingerprint(dataDir));
    }

    [Fact]
    public async Task Cli_SeededDataDirectory_HoldsTheRowsTheCasesProtect()
    {
        using var data = new TempDirectory();
        seeded.CopyTo(data.Path);

        var result = await CliRunner.RunAsync("get", "1", "8", "--data-dir", Path.Combine(data.Path, "data"));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("3", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("4", result.Stdout, StringComparison.Ordinal);
    }

    private static async Task AssertUnchangedAsync(IArrayDictGrain grain, ArrayDict before)
    {
        var after = await LimitAssert.ReadAllAsync(grain);
        var info = await grain.GetInfoAsync();
        Assert.True(before.ContentEquals(after), "The hostile call changed the ArrayDict's rows.");
        Assert.Equal(2, info.Width);
        Assert.Equal(3, info.LastAppliedEpoch);
    }

    private async Task<IArrayDictGrain> SeededGrainAsync()
    {
        var grain = fixture.NewGrain();
        await grain.ClearAsync(2);
        await grain.SetRowAsync(7, [1.5, 2.5]);
        await grain.SetRowAsync(8, [3, 4]);
        await grain.ApplyAsync(new ScaleMethod(1), 3);
        return grain;
    }
}

/// <summary>A data directory holding ArrayDict 1 (width 2, keys 7 and 8), written once by the program, copied for each case.</summary>
public sealed class SeededDataDirectory : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();

    private string DataDir => Path.Combine(_directory.Path, "data");

    /// <summary>
    /// The data directory's files, each with a hash of its bytes, leases and the write-ahead logs' change number left out
    /// (a run takes and frees the leases, and its journal's new log writes a new number).
    /// </summary>
    public static string Fingerprint(string dataDir) => string.Join(
        "\n",
        Directory.EnumerateFiles(dataDir, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains(".leases", StringComparison.Ordinal) && Path.GetFileName(f) != JournalWriteAheadLog.LogsChangedFileName)
            .Order(StringComparer.Ordinal)
            .Select(f => $"{Path.GetRelativePath(dataDir, f)} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))}"));

    public void CopyTo(string directory)
    {
        foreach (string file in Directory.EnumerateFiles(DataDir, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(directory, "data", Path.GetRelativePath(DataDir, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public async Task InitializeAsync()
    {
        foreach (string[] args in new[] { new[] { "clear", "1", "--width", "2" }, ["set", "1", "7", "1.5", "2.5"], ["set", "1", "8", "3", "4"] })
        {
            var result = await CliRunner.RunAsync([.. args, "--data-dir", DataDir]);
            Assert.True(result.ExitCode == 0, $"Seeding with 'arraydict {string.Join(' ', args)}' failed: {result.Stderr}");
        }
    }

    public Task DisposeAsync()
    {
        _directory.Dispose();
        return Task.CompletedTask;
    }
}
