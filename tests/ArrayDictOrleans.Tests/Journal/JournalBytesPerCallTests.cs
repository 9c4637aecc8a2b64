using System.Diagnostics;
using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Tests.Persistence;
using ArrayDictOrleans.Workload;
using Xunit.Abstractions;
using static ArrayDictOrleans.Tests.Journal.JournalTestStorage;

namespace ArrayDictOrleans.Tests.Journal;

/// <summary>
/// What one SW1 call writes with the journal: bounded whatever R, (1 to 3 + 8W) per changed row plus a fixed header and
/// the epoch metadata. Also reports the full snapshot's size and a recovery time (figures, not asserted).
/// </summary>
public sealed class JournalBytesPerCallTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = NewDirectory();

    public void Dispose() => DeleteDirectory(_directory);

    [Fact]
    public async Task Journal_Sw1Call_BytesWrittenFlatInRows()
    {
        var sizes = new List<long>();
        foreach (int rows in new[] { 100, 10_000, 1_000_000 })
        {
            var parameters = new Sw1Parameters(Objects: 1, Rows: rows, Updates: 100, Appends: 10, Budget: 8, Width: 1);
            var (storage, _) = Create(_directory);
            var grainId = NewGrainId();
            var grainState = await ReadAsync(storage, grainId);
            Sw1.Fill(grainState.State.Dict, parameters);
            await WriteAsync(storage, grainId, grainState);
            long fullBytes = storage.LastWriteBytes;

            var state = grainState.State;
            using var scope = state.Dict.BeginChanges();
            var result = Sw1.Step(state.Dict, parameters, objectId: 0, iteration: 0);
            state.PendingDelta!.Record(scope);
            state.LastEpoch = 0;
            state.LastResult = TestKeptResults.Of(result);
            var started = Stopwatch.GetTimestamp();
            await WriteAsync(storage, grainId, grainState);
            var elapsed = Stopwatch.GetElapsedTime(started);
            scope.Commit();

            Assert.False(storage.LastWriteWasBase);
            int metadata = Serializer.EncodeMetadata(state).Length;
            long changedRows = parameters.Updates + parameters.Appends;
            // Each key takes one to three bytes (its difference from the row before grows with R, up to 3 x 7,919), never more than 8.
            long withoutKeys = ArrayDictJournalRecord.HeaderSize + (changedRows * 8) + metadata + 8;
            Assert.InRange(storage.LastWriteBytes, withoutKeys + changedRows, withoutKeys + (changedRows * 3));
            Assert.InRange(metadata, 1, 64);
            sizes.Add(storage.LastWriteBytes - metadata);
            output.WriteLine($"R={rows,9}: journal record {storage.LastWriteBytes,6} bytes (append {elapsed.TotalMilliseconds:F2} ms); full snapshot {fullBytes,10} bytes");
        }

        // Bounded whatever R: at most what eight bytes per key would take.
        Assert.All(sizes, size => Assert.True(size <= ArrayDictJournalRecord.HeaderSize + (110 * (8 + 8)) + 8, $"{size} bytes"));
    }

    [Fact]
    public async Task Journal_MillionRowsAtCompactionThreshold_RecoveryTimeReported()
    {
        const int Rows = 1_000_000;
        var parameters = new Sw1Parameters(Objects: 1, Rows: Rows, Updates: 100, Appends: 10, Budget: 1_000_000, Width: 1);
        var options = new LocalFileJournalStorageOptions { AllowLostCallsOnMachineCrash = true };
        var (storage, _) = Create(_directory, options);
        var grainId = NewGrainId();
        var grainState = await ReadAsync(storage, grainId);
        Sw1.Fill(grainState.State.Dict, parameters);
        await WriteAsync(storage, grainId, grainState);
        long baseBytes = storage.LastWriteBytes;

        // Append SW1-sized records (110 rows each) until the next one would compact.
        var state = grainState.State;
        int records = 0;
        for (int t = 0; ; t++)
        {
            if (storage.GetCursor(grainId)!.ValidJournalBytes + 2000 > options.CompactionRatio * baseBytes)
            {
                break;
            }

            using var scope = state.Dict.BeginChanges();
            for (int u = 0; u < 110; u++)
            {
                state.Dict[3L * ((t * 17L) + (u * 7919L)) % (3L * Rows)] = t + u;
            }

            state.PendingDelta!.Record(scope);
            state.LastEpoch = t;
            state.LastResult = TestKeptResults.Of(new Sw1StepResult(t, state.Dict.Count, Done: false));

            await WriteAsync(storage, grainId, grainState);
            scope.Commit();
            Assert.False(storage.LastWriteWasBase);
            records++;
        }

        long journalBytes = storage.GetCursor(grainId)!.ValidJournalBytes;
        var times = new List<double>();
        for (int i = 0; i < 3; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var read = await ReadAsync(Create(_directory, options).Storage, grainId);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (i == 0)
            {
                AssertSameState(state, read.State, "recovered from base + journal at its threshold");
            }
        }

        output.WriteLine($"1e6 rows: base {baseBytes} bytes, journal {journalBytes} bytes in {records} records; recovery {string.Join(", ", times.Select(t => $"{t:F0} ms"))}");
    }
}
