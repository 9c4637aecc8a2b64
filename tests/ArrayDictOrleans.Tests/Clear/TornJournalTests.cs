using System.Buffers.Binary;
using ArrayDictOrleans.Methods;
using ArrayDictOrleans.Silo.Hosting;
using ArrayDictOrleans.Tests.Azure;

namespace ArrayDictOrleans.Tests.Clear;

/// <summary>
/// A journal cut inside a record (a torn append: the write never returned), through the grain, on local files and on
/// Azurite: a new activation reads exactly the state after the records before the cut, nothing of the cut record and
/// nothing else, and goes on from there. A journal cut at a record boundary loses whole records that had returned; the
/// storage cannot tell that from a shorter journal (the epoch check of the SDK does).
/// </summary>
public abstract class TornJournalTests(ClearClusters clusters)
{
    /// <summary>Where in the record the journal ends: its first byte only, inside the 48-byte header, just after it, half of it, all but its last byte.</summary>
    public static TheoryData<string> Cuts() => ["first byte", "inside the header", "after the header", "half", "all but the last byte"];

    [Theory]
    [MemberData(nameof(Cuts))]
    public async Task Journal_CutInsideEachRecord_ActivationReadsExactlyTheRecordsBefore(string cut)
    {
        var cluster = await clusters.GetAsync(SnapshotMode.Journal);
        var grain = cluster.NewGrain();
        var grainId = grain.GetGrainId();

        // The first call writes the base; each later one appends one record. states[r]: what the grain held after record r.
        var states = new List<(ArrayDict Dict, long? Epoch)>();
        async Task CallAsync(Func<Task> call)
        {
            await call();
            states.Add((await grain.ExportAsync(), (await grain.GetInfoAsync()).LastAppliedEpoch));
        }

        await grain.ClearAsync(width: 2);
        await CallAsync(() => grain.SetManyAsync(new RowBatch(2, [1, 2, 3], [1, 2, 3, 4, 5, 6])));
        for (long epoch = 1; epoch <= 4; epoch++)
        {
            long e = epoch;
            await CallAsync(() => grain.ApplyAsync(new ScaleMethod(e + 1), e));
            await CallAsync(() => grain.SetRowAsync(10 * e, [e, -e]));
            if (epoch == 2)
            {
                await CallAsync(() => grain.RemoveAsync(2));
            }
        }

        await cluster.Cluster.DeactivateAsync(grain);
        var journal = await clusters.Place.ReadJournalAsync(grainId);
        var starts = RecordStarts(journal);
        Assert.Equal(states.Count - 1, starts.Count);

        for (int record = 1; record <= starts.Count; record++)
        {
            long start = starts[record - 1];
            long length = (record < starts.Count ? starts[record] : journal.Length) - start;
            long cutAt = start + cut switch
            {
                "first byte" => 1,
                "inside the header" => 20,
                "after the header" => 48,
                "half" => length / 2,
                _ => length - 1,
            };
            await clusters.Place.SetJournalAsync(grainId, journal.AsMemory(0, (int)cutAt));

            var info = await grain.GetInfoAsync();
            var dict = await grain.ExportAsync();
            var (expectedDict, expectedEpoch) = states[record - 1];
            string what = $"{clusters.Place.Name}: journal cut at byte {cutAt} ({cut} of record {record} of {starts.Count})";
            Assert.True(expectedEpoch == info.LastAppliedEpoch, $"{what}: epoch {info.LastAppliedEpoch}, expected {expectedEpoch}");
            Assert.True(expectedDict.ContentEquals(dict), $"{what}: {dict.Count} rows, not the {expectedDict.Count} of the records before the cut");
            await cluster.Cluster.DeactivateAsync(grain);
        }

        // Cut inside the last record, the grain goes on from the record before: its next write is a new base.
        await clusters.Place.SetJournalAsync(grainId, journal.AsMemory(0, (int)(starts[^1] + 30)));
        Assert.Equal(states[^2].Epoch, (await grain.GetInfoAsync()).LastAppliedEpoch);
        await grain.ApplyAsync(new ScaleMethod(0.5), epoch: 5);
        var expected = await grain.ExportAsync();
        await cluster.Cluster.DeactivateAsync(grain);
        Assert.True(expected.ContentEquals(await grain.ExportAsync()), "the state written after the cut reads back");
        Assert.Equal(5, (await grain.GetInfoAsync()).LastAppliedEpoch);
    }

    /// <summary>The byte offset of every record of a whole journal (each record's length is at byte 8 of its header).</summary>
    private static List<long> RecordStarts(byte[] journal)
    {
        var starts = new List<long>();
        for (long offset = 0; offset < journal.Length; offset += BinaryPrimitives.ReadInt64LittleEndian(journal.AsSpan((int)offset + 8)))
        {
            starts.Add(offset);
        }

        return starts;
    }
}

public sealed class LocalTornJournalTests(LocalClearClusters clusters) : TornJournalTests(clusters), IClassFixture<LocalClearClusters>;

[Collection(AzuriteCollection.Name)]
public sealed class AzureTornJournalTests(AzureClearClusters clusters) : TornJournalTests(clusters), IClassFixture<AzureClearClusters>;
