using System.Diagnostics;

namespace ArrayDictOrleans.Benchmarks;

/// <summary>
/// A cross-check of the BenchmarkDotNet ratios that holds up on a busy machine: each contender and its baseline run
/// alternately, and the fastest of many rounds is kept for each, so that load from other processes hits both alike.
/// Run with <c>-- interleaved</c>.
/// </summary>
public static class InterleavedReport
{
    private const int Rounds = 15;

    /// <summary>Prints one Markdown table row per comparison.</summary>
    public static void Run()
    {
        Console.WriteLine($"Fastest of {Rounds} alternating rounds (after 3 warm-up rounds):");
        Console.WriteLine();
        Console.WriteLine("| comparison | contender | baseline | contender / baseline | baseline / contender |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");

        var lookups = new LookupBenchmarks();
        lookups.Setup();
        Compare("get, per key: ArrayDict vs Dictionary", () => lookups.ArrayDict_Get(), () => lookups.Dictionary_Get(), perOperation: 1_000_000);
        Compare("set existing, per key", lookups.ArrayDict_SetExisting, lookups.Dictionary_SetExisting, perOperation: 1_000_000);
        Compare("insert from empty, per key", () => lookups.ArrayDict_InsertFromEmpty(), () => lookups.Dictionary_InsertFromEmpty(), perOperation: 1_000_000);

        var snapshots = new SnapshotBenchmarks();
        snapshots.Setup();
        Compare("write 1e6 rows: snapshot vs raw bytes", () => snapshots.Write_Snapshot(), () => snapshots.Write_RawBytes());
        Compare("write 1e6 rows: snapshot vs JSON", () => snapshots.Write_Snapshot(), () => snapshots.Write_JsonSerializer(), rounds: 5);
        Compare("write 1e6 rows: snapshot vs Orleans binary", () => snapshots.Write_Snapshot(), () => snapshots.Write_OrleansSerializer());
        Compare("read 1e6 rows: snapshot (stream) vs raw bytes", () => snapshots.Read_SnapshotStream(), () => snapshots.Read_RawBytes());
        Compare("read 1e6 rows: snapshot (stream) vs JSON", () => snapshots.Read_SnapshotStream(), () => snapshots.Read_JsonSerializer(), rounds: 5);
        Compare("read 1e6 rows: snapshot (BinaryData) vs JSON", () => snapshots.Read_SnapshotBinaryData(), () => snapshots.Read_JsonSerializer(), rounds: 5);
        Compare("read 1e6 rows: snapshot (stream) vs Orleans binary", () => snapshots.Read_SnapshotStream(), () => snapshots.Read_OrleansSerializer());
    }

    private static void Compare(string name, Action contender, Action baseline, int perOperation = 1, int rounds = Rounds)
    {
        for (int i = 0; i < 3; i++)
        {
            contender();
            baseline();
        }

        double bestContender = double.MaxValue;
        double bestBaseline = double.MaxValue;
        for (int i = 0; i < rounds; i++)
        {
            bestContender = Math.Min(bestContender, Time(contender));
            bestBaseline = Math.Min(bestBaseline, Time(baseline));
        }

        Console.WriteLine($"| {name} | {Format(bestContender, perOperation)} | {Format(bestBaseline, perOperation)} | {bestContender / bestBaseline:F2} | {bestBaseline / bestContender:F1} |");
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static string Format(double milliseconds, int perOperation) =>
        perOperation == 1 ? $"{milliseconds:F2} ms" : $"{milliseconds * 1e6 / perOperation:F1} ns";
}
