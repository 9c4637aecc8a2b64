using System.Globalization;
using System.Text.Json.Serialization;
using Spectre.Console;
using ArrayDictOrleans.Client.Cli;

namespace ArrayDictOrleans.Client.Bench;

/// <summary>The report of <c>arraydict bench</c>; with <c>--json</c>, printed as one object with these names in camelCase.</summary>
/// <param name="Variants">Each variant, in order, with its median over the rounds.</param>
/// <param name="BytesPerCall">The bytes a call sends, per row count.</param>
/// <param name="Rounds">How many times each variant ran, timed.</param>
/// <param name="WorkMicroseconds">K, the <c>--work-us</c> flag (0: no work).</param>
/// <param name="WorkIterations">The kernel steps per call K was calibrated to.</param>
/// <param name="Cores">The cores of the machine, the denominator of the efficiency.</param>
/// <param name="Storage">Where the persisted variants kept their state: Local or AzureBlob.</param>
/// <param name="Calls">Calls each run made.</param>
/// <param name="TotalRows">The totalRows every run agreed on.</param>
/// <param name="Checksum">The checksum every run agreed on (the first run's).</param>
/// <param name="WarmupRounds">The untimed rounds of every variant that came first.</param>
internal sealed record BenchReport(
    BenchVariant[] Variants,
    BytesPerCall[] BytesPerCall,
    int Rounds,
    int WorkMicroseconds,
    long WorkIterations,
    int Cores,
    string Storage,
    long Calls,
    long TotalRows,
    double Checksum,
    int WarmupRounds)
{
    public static BenchReport Create(BenchPlan plan, Dictionary<string, List<BenchRun>> runs, Dictionary<string, List<BenchRun>> warmups, List<BytesPerCall> bytes)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(runs);
        double baseSeconds = 0;
        var variants = new List<BenchVariant>();
        foreach (string name in plan.Variants)
        {
            var variantRuns = runs[name];
            double loopSeconds = Median([.. variantRuns.Select(r => r.Loop.Elapsed.TotalSeconds)]);
            long calls = variantRuns[0].Loop.Calls;
            int iterations = variantRuns[0].Loop.Iterations;
            if (variants.Count == 0)
            {
                baseSeconds = loopSeconds;
            }

            variants.Add(new BenchVariant(
                name,
                loopSeconds,
                loopSeconds > 0 ? calls / loopSeconds : 0,
                baseSeconds > 0 ? loopSeconds / baseSeconds : 0,
                Median([.. variantRuns.Select(r => r.Fill.TotalSeconds)]),
                iterations > 0 ? loopSeconds / iterations : 0,
                [.. variantRuns.Select(r => r.Loop.Elapsed.TotalSeconds)],
                WorkCalibration.Efficiency(calls, plan.WorkMicroseconds, loopSeconds),
                variantRuns[^1].StoredBytes,
                [.. warmups[name].Select(r => r.Loop.Elapsed.TotalSeconds)],
                Median([.. variantRuns.Select(r => r.Loop.Calls > 0 ? (double)r.Collector.Bytes / r.Loop.Calls : 0)]),
                Median([.. variantRuns.Select(r => r.Collector.Pause.TotalSeconds)])));
        }

        var first = runs.Count > 0 && plan.Variants.Length > 0 ? runs[plan.Variants[0]][0].Loop : null;
        return new BenchReport(
            [.. variants],
            [.. bytes],
            plan.Rounds,
            plan.WorkMicroseconds,
            plan.Parameters.WorkIterations,
            Environment.ProcessorCount,
            plan.Storage.ToString(),
            first?.Calls ?? 0,
            first?.TotalRows ?? 0,
            first?.Checksum ?? 0,
            plan.WarmupRounds);
    }

    /// <summary>The middle value, or the mean of the two middle values of an even count.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    public void WriteTables(CliOutput output, BenchPlan plan, int bytesObjects)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(plan);
        var c = CultureInfo.InvariantCulture;
        var p = plan.Parameters;
        string work = WorkMicroseconds > 0 ? string.Create(c, $" work={WorkMicroseconds:N0} µs") : string.Empty;
        string rounds = (Rounds > 1 ? string.Create(c, $", median of {Rounds} rounds") : string.Empty)
            + (WarmupRounds > 0 ? string.Create(c, $" after {WarmupRounds} untimed") : string.Empty);
        string storage = plan.Storage == BenchStorage.AzureBlob ? ", persisted variants on Azure Blob storage" : string.Empty;
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape(string.Create(c, $"SW1: N={p.Objects:N0} R={p.Rows:N0} U={p.Updates} A={p.Appends} T={p.Budget} W={p.Width}{work}{rounds}{storage}")));
        table.AddColumn("variant");
        var columns = new List<string> { "fill s", "loop s" };
        if (Rounds > 1)
        {
            columns.Add("each round, loop s");
        }

        columns.AddRange(["calls/s", "ms/iteration", "x first"]);
        if (WorkMicroseconds > 0)
        {
            columns.Add(string.Create(c, $"efficiency ({Cores} cores)"));
        }

        columns.Add("bytes stored");
        columns.Add("allocated B/call");
        columns.Add("GC pause s");
        foreach (string column in columns)
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        foreach (var variant in Variants)
        {
            var cells = new List<string> { variant.Name, variant.FillSeconds.ToString("F3", c), variant.LoopSeconds.ToString("F3", c) };
            if (Rounds > 1)
            {
                cells.Add(string.Join(" ", variant.RoundSeconds.Select(s => s.ToString("F3", c))));
            }

            cells.Add(variant.CallsPerSecond.ToString("N0", c));
            cells.Add((variant.SecondsPerIteration * 1000).ToString("F1", c));
            cells.Add(variant.RatioToRaw.ToString("F2", c));
            if (WorkMicroseconds > 0)
            {
                cells.Add(variant.Efficiency?.ToString("F2", c) ?? "-");
            }

            cells.Add(variant.StoredBytes > 0 ? variant.StoredBytes.ToString("N0", c) : "-");
            cells.Add(variant.AllocatedBytesPerCall.ToString("N0", c));
            cells.Add(variant.GcPauseSeconds.ToString("F3", c));
            table.AddRow([.. cells.Select(Markup.Escape)]);
        }

        output.Console.Write(table);
        if (Variants.Length > 0)
        {
            output.Out.WriteLine(string.Create(c, $"Every run: {Calls:N0} calls, totalRows {TotalRows:N0}, checksum {Checksum:R}."));
        }

        if (BytesPerCall.Length > 0)
        {
            var bytesTable = new Table().Border(TableBorder.Rounded)
                .Title(string.Create(c, $"Bytes per call over a loopback gateway connection (N={bytesObjects}, request + response)"));
            bytesTable.AddColumn(new TableColumn("R").RightAligned());
            bytesTable.AddColumn(new TableColumn("bytes/call").RightAligned());
            foreach (var entry in BytesPerCall)
            {
                bytesTable.AddRow(entry.Rows.ToString("N0", c), entry.Bytes.ToString("N0", c));
            }

            output.Console.Write(bytesTable);
        }
    }
}

/// <summary>One variant: the median of its rounds.</summary>
/// <param name="Name">One of <see cref="BenchVariants.All"/>.</param>
/// <param name="LoopSeconds">The median wall time of the driver loop over the rounds.</param>
/// <param name="CallsPerSecond">Calls over that median.</param>
/// <param name="RatioToRaw">That median over the first variant's (raw, by default).</param>
/// <param name="FillSeconds">The median wall time of the fill.</param>
/// <param name="SecondsPerIteration">The median loop time over the iterations.</param>
/// <param name="RoundSeconds">Each round's loop seconds, in order.</param>
/// <param name="Efficiency">With <c>--work-us K</c>: calls x K µs over median loop seconds x cores; absent without.</param>
/// <param name="StoredBytes">Bytes in the variant's storage after its last round's loop; 0 without persistence.</param>
/// <param name="WarmupRoundSeconds">Each untimed round's loop seconds, in order (the first pays for the JIT).</param>
/// <param name="AllocatedBytesPerCall">The median over the rounds of the bytes the process allocated during the loop per call (driver, client and embedded silo together): what the calls cost the garbage collector, a figure that, unlike the loop's seconds, the machine's load does not move.</param>
/// <param name="GcPauseSeconds">The median over the rounds of how long the collector paused the process during the loop.</param>
internal sealed record BenchVariant(
    string Name,
    double LoopSeconds,
    double CallsPerSecond,
    double RatioToRaw,
    double FillSeconds,
    double SecondsPerIteration,
    double[] RoundSeconds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Efficiency,
    long StoredBytes,
    double[] WarmupRoundSeconds,
    double AllocatedBytesPerCall,
    double GcPauseSeconds);

/// <summary>The bytes sent per call at <see cref="Rows"/> initial rows.</summary>
/// <param name="Rows">R.</param>
/// <param name="Bytes">Bytes sent per call, request and response together.</param>
internal sealed record BytesPerCall(int Rows, double Bytes);
