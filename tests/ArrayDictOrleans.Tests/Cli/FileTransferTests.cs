using System.Text.Json;
using ArrayDictOrleans.Client;
using ArrayDictOrleans.Client.Files;
using ArrayDictOrleans.Tests.Grains;

namespace ArrayDictOrleans.Tests.Cli;

/// <summary>Paged export and import through the SDK, against the in-process test cluster.</summary>
[Collection(ClusterCollection.Name)]
public sealed class FileTransferTests(ClusterFixture fixture)
{
    private readonly ArrayDictClient _client = fixture.CreateClient();

    [Theory]
    [InlineData("adsnap", 1)]
    [InlineData("adsnap", 3)]
    [InlineData("snapshot", 2)]
    [InlineData("npz", 1)]
    [InlineData("npz", 3)]
    public async Task FileTransfer_ExportImport_RemovedRowsAndPages_RoundTrips(string extension, int width)
    {
        using var files = new TempDirectory();
        string path = files.File("dict." + extension);
        long source = ClusterFixture.NewKey();
        var expected = await FillWithHolesAsync(source, width, rows: 100);

        var exported = await ArrayDictFileTransfer.ExportAsync(_client, source, path, pageRows: 7);
        long target = ClusterFixture.NewKey();
        await _client.Get(target).SetValueAsync(12345, 1);
        var imported = await ArrayDictFileTransfer.ImportAsync(_client, target, path, pageRows: 9);

        Assert.Equal(expected.Count, exported.Rows);
        Assert.Equal(width, exported.Width);
        Assert.True(exported.Pages >= expected.Count / 7, $"{exported.Pages} pages");
        Assert.Equal(expected.Count, imported.Rows);
        AssertContent(expected, ReadIndependently(path));
        AssertContent(expected, await _client.Get(target).ExportAsync());
    }

    [Fact]
    public async Task FileTransfer_Export_ManySmallPages_WritesEveryRowOnce()
    {
        using var files = new TempDirectory();
        long id = ClusterFixture.NewKey();
        var expected = await FillWithHolesAsync(id, width: 2, rows: 1000);

        var result = await ArrayDictFileTransfer.ExportAsync(_client, id, files.File("many.adsnap"), pageRows: 16);

        Assert.Equal(800, expected.Count);
        Assert.True(result.Pages >= 50, $"only {result.Pages} pages");
        AssertContent(expected, ArrayDictSnapshot.Read(File.OpenRead(files.File("many.adsnap"))));
        Assert.Equal(ArrayDictSnapshot.GetSize(expected), result.FileBytes);
    }

    [Fact]
    public async Task FileTransfer_SnapshotFile_HasTheBytesOfArrayDictSnapshotWrite()
    {
        using var files = new TempDirectory();
        long id = ClusterFixture.NewKey();
        await _client.Get(id).ClearAsync(2);
        var rows = new RowBatch(2, [5, -7, 1L << 40], [1.5, -0.0, double.NaN, double.PositiveInfinity, 3, 4]);
        await _client.Get(id).SetManyAsync(rows);

        await ArrayDictFileTransfer.ExportAsync(_client, id, files.File("a.adsnap"), pageRows: 2);

        Assert.Equal(ArrayDictSnapshot.ToArray(await _client.Get(id).ExportAsync()), await File.ReadAllBytesAsync(files.File("a.adsnap")));
    }

    [Fact]
    public async Task FileTransfer_ImportDuplicateKeys_LeavesArrayDictUnchanged()
    {
        using var files = new TempDirectory();
        string path = files.File("dup.npz");
        using (var writer = new NpzFileWriter(path))
        {
            writer.Begin(width: 1, count: 3);
            writer.WriteRows(new RowBatch(1, [1, 2], [1, 2]));
            writer.WriteRows(new RowBatch(1, [1], [3]));
            writer.Complete();
        }

        long id = ClusterFixture.NewKey();
        await _client.Get(id).SetValueAsync(99, 9);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => ArrayDictFileTransfer.ImportAsync(_client, id, path, pageRows: 2));

        Assert.Contains("holds the key 1 twice", error.Message);
        var after = await _client.Get(id).ExportAsync();
        Assert.Equal(1, after.Count);
        Assert.Equal(9, after[99]);
    }

    [Fact]
    public async Task FileTransfer_ImportCorruptedSnapshot_RefusedBeforeAnythingIsSent()
    {
        using var files = new TempDirectory();
        string path = files.File("bad.adsnap");
        var dict = new ArrayDict();
        dict[1] = 1;
        dict[2] = 2;
        byte[] bytes = ArrayDictSnapshot.ToArray(dict);
        bytes[^10] ^= 0xFF;
        await File.WriteAllBytesAsync(path, bytes);
        long id = ClusterFixture.NewKey();
        await _client.Get(id).SetValueAsync(5, 5);

        var error = await Assert.ThrowsAsync<ArrayDictFileException>(() => ArrayDictFileTransfer.ImportAsync(_client, id, path));

        Assert.Contains("corrupted", error.Message);
        Assert.Equal(5, await _client.Get(id).GetValueAsync(5));
    }

    [Fact]
    public async Task FileTransfer_ExportFails_LeavesNoFileBehind()
    {
        using var files = new TempDirectory();
        string path = files.File("half.npz");
        long id = ClusterFixture.NewKey();
        await FillWithHolesAsync(id, width: 1, rows: 200);
        using var cancel = new CancellationTokenSource();
        int pages = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var page in _client.ExportPagesAsync(id, 10, cancel.Token))
            {
                if (++pages == 3)
                {
                    await cancel.CancelAsync();
                }
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ArrayDictFileTransfer.ExportAsync(_client, id, path, 10, cancel.Token));

        Assert.Empty(Directory.EnumerateFileSystemEntries(files.Path));
    }

    [Fact]
    public async Task ExportPagesAsync_ArrayDictChangesBetweenPages_Throws()
    {
        long id = ClusterFixture.NewKey();
        await FillWithHolesAsync(id, width: 1, rows: 50);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var page in _client.ExportPagesAsync(id, pageRows: 10))
            {
                await _client.Get(id).SetValueAsync(-1, 1);
            }
        });

        Assert.Contains("changed while it was being exported", error.Message);
    }

    [Fact]
    public async Task PagedImport_AbandonedOrWrongCount_LeavesOldData()
    {
        long id = ClusterFixture.NewKey();
        var grain = _client.Get(id);
        await grain.SetValueAsync(1, 10);

        var abandoned = await grain.BeginImportAsync(width: 1, expectedRows: 2);
        await grain.ImportPageAsync(abandoned, new RowBatch(1, [7], [70]));
        var wrongCount = await grain.BeginImportAsync(width: 1, expectedRows: 2);
        await grain.ImportPageAsync(wrongCount, new RowBatch(1, [8], [80]));
        var staleCommit = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.CommitImportAsync(abandoned));
        var shortCommit = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.CommitImportAsync(wrongCount));

        Assert.Contains("has no import", staleCommit.Message);
        Assert.Contains("announced 2 rows but received 1", shortCommit.Message);
        var after = await grain.ExportAsync();
        Assert.Equal(1, after.Count);
        Assert.Equal(10, after[1]);
    }

    [Fact]
    public async Task NpzExport_LoadedByNumpy_HasKeysAndValuesOfShapeCountByWidth()
    {
        using var files = new TempDirectory();
        string path = files.File("numpy.npz");
        long id = ClusterFixture.NewKey();
        var expected = await FillWithHolesAsync(id, width: 3, rows: 40);

        await ArrayDictFileTransfer.ExportAsync(_client, id, path, pageRows: 6);

        AssertContent(expected, ReadIndependently(path));
        if (!Numpy.IsAvailable())
        {
            return;
        }

        var (code, stdout, stderr) = Numpy.Run(
            """
            import json, sys
            import numpy as np
            z = np.load(sys.argv[1])
            k, v = z["keys"], z["values"]
            print(json.dumps({"files": sorted(z.files), "keys": [k.dtype.str, list(k.shape), k.tolist()],
                              "values": [v.dtype.str, list(v.shape), v.tolist()]}))
            """,
            [path]);
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal(["keys", "values"], root.GetProperty("files").EnumerateArray().Select(e => e.GetString()));
        var keys = root.GetProperty("keys");
        var values = root.GetProperty("values");
        Assert.Equal("<i8", keys[0].GetString());
        Assert.Equal("<f8", values[0].GetString());
        Assert.Equal([expected.Count], keys[1].EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([expected.Count, 3], values[1].EnumerateArray().Select(e => e.GetInt32()));
        var loaded = new ArrayDict(3);
        var rows = values[2].EnumerateArray().ToArray();
        int i = 0;
        foreach (var key in keys[2].EnumerateArray())
        {
            loaded.Add(key.GetInt64(), rows[i++].EnumerateArray().Select(e => e.GetDouble()).ToArray());
        }

        AssertContent(expected, loaded);
    }

    [Fact]
    public async Task NpzImport_WrittenByNumpySavezCompressed_ReplacesArrayDict()
    {
        if (!Numpy.IsAvailable())
        {
            return;
        }

        using var files = new TempDirectory();
        string path = files.File("from-numpy.npz");
        var (code, _, stderr) = Numpy.Run(
            """
            import sys
            import numpy as np
            keys = np.arange(500, dtype=np.int64) * 7 - 1000
            values = np.stack([keys * 0.5, -keys.astype(np.float64)], axis=1)
            np.savez_compressed(sys.argv[1], keys=keys, values=values)
            """,
            [path]);
        Assert.True(code == 0, stderr);
        long id = ClusterFixture.NewKey();

        var result = await ArrayDictFileTransfer.ImportAsync(_client, id, path, pageRows: 64);

        Assert.Equal(500, result.Rows);
        Assert.Equal(2, result.Width);
        var dict = await _client.Get(id).ExportAsync();
        Assert.Equal(500, dict.Count);
        Assert.Equal([(13 * 7 - 1000) * 0.5, -(13 * 7 - 1000)], dict.GetRowReadOnly(13 * 7 - 1000).ToArray());
    }

    /// <summary>Fills <paramref name="id"/> with <paramref name="rows"/> rows of <paramref name="width"/>, then removes every fifth, leaving free rows inside the live ArrayDict.</summary>
    private async Task<ArrayDict> FillWithHolesAsync(long id, int width, int rows)
    {
        var grain = _client.Get(id);
        await grain.ClearAsync(width);
        var keys = Enumerable.Range(0, rows).Select(i => (i * 37L) - 500).ToArray();
        var values = Enumerable.Range(0, rows * width).Select(i => (i * 0.25) - 3).ToArray();
        await grain.SetManyAsync(new RowBatch(width, keys, values));
        foreach (long key in keys.Where((_, i) => i % 5 == 1))
        {
            Assert.True(await grain.RemoveAsync(key));
        }

        var info = await grain.GetInfoAsync();
        Assert.Equal(rows - (rows / 5), info.Count);
        return await grain.ExportAsync();
    }

    private static ArrayDict ReadIndependently(string path)
    {
        if (path.EndsWith(".npz", StringComparison.Ordinal))
        {
            var (keys, values, width) = NpzCheck.Read(path);
            var dict = new ArrayDict(width);
            for (int i = 0; i < keys.Length; i++)
            {
                dict.Add(keys[i], values.AsSpan(i * width, width));
            }

            return dict;
        }

        using var stream = File.OpenRead(path);
        return ArrayDictSnapshot.Read(stream);
    }

    private static void AssertContent(ArrayDict expected, ArrayDict actual)
    {
        Assert.Equal(expected.Width, actual.Width);
        Assert.Equal(expected.Count, actual.Count);
        Assert.True(expected.ContentEquals(actual), "the keys or values differ");
    }
}
