using System.Runtime.CompilerServices;

namespace ArrayDictOrleans.Benchmarks;

/// <summary>
/// Steady-state memory a row costs: the live heap growth (after full collections) caused by building a container
/// of 1e6 rows, divided by the rows; plus what <see cref="ArrayDict.MemoryBytes"/> reports. Run with <c>-- memory</c>.
/// </summary>
public static class MemoryReport
{
    private const int Rows = 1_000_000;

    /// <summary>Prints one line per container as a Markdown table.</summary>
    public static void Run()
    {
        Console.WriteLine($"Steady-state memory of {Rows:N0} rows (keys 3*j), live heap delta after full GCs:");
        Console.WriteLine();
        Console.WriteLine("| container | W | bytes/row (heap) | MemoryBytes/Count | target 8W+24 |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (int width in new[] { 1, 4 })
        {
            Report($"ArrayDict, grown from empty", width, () => Build(width, 0));
            Report($"ArrayDict, capacity {Rows:N0}", width, () => Build(width, Rows));
            Report($"ArrayDict, grown, then TrimExcess", width, () =>
            {
                var dict = Build(width, 0);
                dict.TrimExcess();
                return dict;
            });
        }

        Report("Dictionary<long, double>", 1, () =>
        {
            var dict = new Dictionary<long, double>();
            for (int j = 0; j < Rows; j++)
            {
                dict[3L * j] = j * 0.5;
            }

            return dict;
        });
        Report("Dictionary<long, double[]>", 4, () =>
        {
            var dict = new Dictionary<long, double[]>();
            for (int j = 0; j < Rows; j++)
            {
                dict[3L * j] = new double[4];
            }

            return dict;
        });
    }

    private static ArrayDict Build(int width, int capacity)
    {
        var dict = new ArrayDict(width, capacity);
        for (int j = 0; j < Rows; j++)
        {
            dict.GetOrAddRow(3L * j).Fill(j * 0.5);
        }

        return dict;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Report(string name, int width, Func<object> build)
    {
        long before = LiveBytes();
        object container = build();
        long after = LiveBytes();
        double perRow = (after - before) / (double)Rows;
        string reported = container is ArrayDict dict ? $"{dict.MemoryBytes / (double)dict.Count:F2}" : "-";
        string target = container is ArrayDict ? $"{(8 * width) + 24}" : "-";
        Console.WriteLine($"| {name} | {width} | {perRow:F2} | {reported} | {target} |");
        GC.KeepAlive(container);
    }

    private static long LiveBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
