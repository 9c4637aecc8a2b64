using System.CommandLine;
using System.Globalization;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Client.Cli;

/// <summary><c>arraydict run</c>: SW1 end to end (clear, fill inside the grains, the iterate-until-done loop) and its summary.</summary>
internal static class RunCommand
{
    public static Command Create(CliCommands cli)
    {
        var workload = new WorkloadOptions();
        var command = new Command("run", "Run the reference workload SW1: fill N ArrayDicts inside their grains, then call MyMethod on every one not yet done, iteration after iteration, and print a summary.");
        workload.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(cli, parse, workload.Parameters(parse), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliCommands cli, ParseResult parse, Sw1Parameters parameters, CancellationToken cancellationToken)
    {
        var output = cli.Output(parse);
        await using var connection = await cli.ConnectAsync(parse, cancellationToken);
        using var snapshots = connection.IsEmbedded ? new SnapshotMeter() : null;
        var (fill, loop) = await ProgressDisplay.RunAsync(output.Console, output.ShowProgress, async progress =>
        {
            var fillTime = await Sw1Driver.FillAsync(connection.Client, parameters, progress?.Invoke("fill"), cancellationToken);
            var loopResult = await Sw1Driver.LoopAsync(connection.Client, parameters, progress?.Invoke("iteration {0}"), cancellationToken);
            return (fillTime, loopResult);
        });

        var summary = new RunSummary(
            parameters.Objects,
            parameters.Rows,
            parameters.Updates,
            parameters.Appends,
            loop.Iterations,
            parameters.Width,
            parameters.Budget,
            loop.Calls,
            fill.TotalSeconds,
            loop.Elapsed.TotalSeconds,
            loop.CallsPerSecond,
            loop.Iterations > 0 ? loop.Elapsed.TotalSeconds / loop.Iterations : 0,
            loop.TotalRows,
            loop.Checksum,
            loop.Retries,
            snapshots?.Snapshots,
            snapshots?.Bytes,
            connection.Description);
        if (output.Json)
        {
            output.WriteJson(summary);
        }
        else
        {
            output.WriteTable($"SW1 on {connection.Description}", summary.TableRows());
        }

        return ExitCodes.Success;
    }
}

/// <summary>The summary of <c>arraydict run</c>; with <c>--json</c>, printed as one object with these names in camelCase.</summary>
/// <param name="Objects">N.</param>
/// <param name="Rows">R, the initial rows per ArrayDict.</param>
/// <param name="Updates">U.</param>
/// <param name="Appends">A.</param>
/// <param name="Iterations">Iterations the driver ran (T when N >= T).</param>
/// <param name="Width">W.</param>
/// <param name="IterationBudget">T, the <c>--iterations</c> flag: object i is done after (i mod T) + 1 calls.</param>
/// <param name="Calls">MyMethod calls made.</param>
/// <param name="FillSeconds">Wall time to clear and fill the ArrayDicts.</param>
/// <param name="LoopSeconds">Wall time of the driver loop.</param>
/// <param name="CallsPerSecond">Calls over loop time.</param>
/// <param name="SecondsPerIteration">Loop time over iterations.</param>
/// <param name="TotalRows">The sum of the final row counts.</param>
/// <param name="Checksum">The sum of each object's last sum.</param>
/// <param name="Retries">Calls retried after a transient failure (applied once all the same).</param>
/// <param name="SnapshotsWritten">Snapshots the embedded silo wrote during fill and loop; null against a remote cluster.</param>
/// <param name="SnapshotBytesWritten">Their bytes; null against a remote cluster.</param>
/// <param name="Cluster">Where it ran.</param>
internal sealed record RunSummary(
    int Objects,
    int Rows,
    int Updates,
    int Appends,
    int Iterations,
    int Width,
    int IterationBudget,
    long Calls,
    double FillSeconds,
    double LoopSeconds,
    double CallsPerSecond,
    double SecondsPerIteration,
    long TotalRows,
    double Checksum,
    long Retries,
    long? SnapshotsWritten,
    long? SnapshotBytesWritten,
    string Cluster)
{
    public IEnumerable<(string, string)> TableRows()
    {
        var c = CultureInfo.InvariantCulture;
        yield return ("objects x rows (width)", string.Create(c, $"{Objects:N0} x {Rows:N0} ({Width})"));
        yield return ("updates, appends per call", string.Create(c, $"{Updates:N0}, {Appends:N0}"));
        yield return ("iterations", string.Create(c, $"{Iterations:N0} (budget {IterationBudget:N0})"));
        yield return ("calls", Calls.ToString("N0", c));
        yield return ("fill", string.Create(c, $"{FillSeconds:F3} s"));
        yield return ("loop", string.Create(c, $"{LoopSeconds:F3} s"));
        yield return ("calls per second", CallsPerSecond.ToString("N0", c));
        yield return ("time per iteration", string.Create(c, $"{SecondsPerIteration * 1000:F1} ms"));
        yield return ("totalRows", TotalRows.ToString("N0", c));
        yield return ("checksum", Checksum.ToString("R", c));
        if (Retries > 0)
        {
            yield return ("retried calls", Retries.ToString("N0", c));
        }

        yield return ("snapshot bytes written", SnapshotBytesWritten is { } bytes
            ? string.Create(c, $"{bytes:N0} ({SnapshotsWritten:N0} snapshots)")
            : "not measured (remote cluster)");
    }
}
