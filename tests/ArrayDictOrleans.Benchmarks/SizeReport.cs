namespace ArrayDictOrleans.Benchmarks;

/// <summary>Bytes a row costs in each persisted form of 1e6 rows of width 1. Run with <c>-- sizes</c>.</summary>
public static class SizeReport
{
    private const int Rows = 1_000_000;

    /// <summary>Prints one Markdown table per data set: the workload's values, then random doubles.</summary>
    public static void Run()
    {
        var (json, orleans) = Serializers.Create();
        var random = new Random(1);
        foreach (var (name, value) in new (string, Func<int, double>)[]
        {
            ("values j*0.5", j => j * 0.5),
            ("values random doubles in [0, 1000)", _ => random.NextDouble() * 1000),
        })
        {
            var dict = new ArrayDict();
            for (int j = 0; j < Rows; j++)
            {
                dict[3L * j] = value(j);
            }

            var dto = SnapshotDto.From(dict);
            Console.WriteLine($"Persisted size of {Rows:N0} rows, W = 1, keys 3*j, {name}:");
            Console.WriteLine();
            Console.WriteLine("| format | bytes | bytes/row |");
            Console.WriteLine("| --- | --- | --- |");
            Print("ArrayDict snapshot", ArrayDictSnapshot.ToArray(dict).Length);
            Print("OrleansGrainStorageSerializer (DTO)", orleans.Serialize(dto).ToMemory().Length);
            Print("JsonGrainStorageSerializer (DTO)", json.Serialize(dto).ToMemory().Length);
            Console.WriteLine();
        }
    }

    private static void Print(string name, long bytes) => Console.WriteLine($"| {name} | {bytes:N0} | {bytes / (double)Rows:F3} |");
}
