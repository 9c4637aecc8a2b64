using System.CommandLine;
using System.Diagnostics;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>
/// <c>arraydict run</c>: SW1 end to end (start the silo or connect, clear and fill inside the grains, the iterate-until-done
/// loop, stop) and its summary, printed once the connection is stopped so that every phase is in it.
/// </summary>
internal static class RunCommand
{
    public static Command Create(CliCommands cli)
    {
        var workload = new WorkloadOptions();
        var firstId = new Option<long>("--first-id")
        {
            Description = "Run on ArrayDicts F..F+N-1 (object i of the workload is ArrayDict F+i, so totalRows and checksum do not depend on F).",
            HelpName = "F",
            DefaultValueFactory = _ => 0,
        };
        Validation.AtLeast(firstId, 0);
        var overwrite = new Option<bool>("--overwrite")
        {
            Description = "Replace whatever the ArrayDicts hold. Without it, the run changes nothing and fails when one of them holds data SW1 did not create (SW1's own data from an earlier run is replaced either way).",
        };
        var callTimeout = new Option<double?>("--call-timeout")
        {
            Description = "Seconds each fill and loop call may take, retries included, when a method can outlast the cluster's response timeout (ArrayDict:ResponseTimeout, 1 minute by default); at most 86400.",
            HelpName = "seconds",
        };
        callTimeout.Validators.Add(result =>
        {
            if (Validation.TryGet(result, out double? seconds) && seconds is { } value && !(value > 0 && value <= ArrayDictClient.LongestCallTimeout.TotalSeconds))
            {
                result.AddError($"--call-timeout is {value}; give 0 < seconds <= {ArrayDictClient.LongestCallTimeout.TotalSeconds}.");
            }
        });
        var command = new Command("run", "Run the reference workload SW1: fill N ArrayDicts inside their grains, then call MyMethod on every one not yet done, iteration after iteration, and print a summary.")
        {
            firstId, overwrite, callTimeout,
        };
        workload.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(
            cli, parse, workload, parse.GetValue(firstId), parse.GetValue(overwrite), parse.GetValue(callTimeout) is { } seconds ? TimeSpan.FromSeconds(seconds) : null, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        CliCommands cli, ParseResult parse, WorkloadOptions workload, long firstId, bool overwrite, TimeSpan? callTimeout, CancellationToken cancellationToken)
    {
        var output = cli.Output(parse);

        // Calibrated before the silo starts, so that nothing else competes for the cores while the kernel is timed.
        var parameters = workload.Parameters(parse, cancellationToken);
        int workMicroseconds = parse.GetValue(workload.WorkMicroseconds);
        if (parameters.Objects > 0 && firstId > long.MaxValue - (parameters.Objects - 1))
        {
            throw CliException.Usage($"--first-id {firstId} with --objects {parameters.Objects} goes past the largest id, {long.MaxValue}.");
        }

        var watch = Stopwatch.StartNew();
        var connection = await cli.ConnectAsync(parse, cancellationToken);
        var start = watch.Elapsed;
        TimeSpan fill;
        Sw1LoopResult loop;
        SyncCounts? loopSyncs;
        long? snapshots;
        long? snapshotBytes;
        string durability = connection.SiloOptions is { } silo ? Durability.Describe(silo) : Durability.Remote;
        try
        {
            using var meter = connection.IsEmbedded ? new SnapshotMeter() : null;
            SyncCounts? beforeLoop = null;
            (fill, loop) = await ProgressDisplay.RunAsync(output.Console, output.ShowProgress, async progress =>
            {
                var filled = await Sw1Driver.FillAsync(connection.Client, parameters, firstId, overwrite, progress?.Invoke("fill"), cancellationToken, callTimeout);
                beforeLoop = meter?.ReadSyncs();
                var loopResult = await Sw1Driver.LoopAsync(connection.Client, parameters, firstId, filled, progress?.Invoke("iteration {0}"), cancellationToken, callTimeout);
                return (filled.Elapsed, loopResult);
            });
            loopSyncs = meter is not null && beforeLoop is { } before ? meter.ReadSyncs() - before : null;
            snapshots = meter?.Snapshots;
            snapshotBytes = meter?.Bytes;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        watch.Restart();
        await connection.DisposeAsync();
        var stop = watch.Elapsed;
        var wall = cli.Clock.Elapsed;

        var summary = new RunSummary(
            parameters.Objects,
            parameters.Rows,
            parameters.Updates,
            parameters.Appends,
            loop.Iterations,
            parameters.Width,
            parameters.Budget,
            loop.Calls,
            workMicroseconds,
            parameters.WorkIterations,
            start.TotalSeconds,
            fill.TotalSeconds,
            loop.Elapsed.TotalSeconds,
            stop.TotalSeconds,
            wall.TotalSeconds,
            loop.CallsPerSecond,
            loop.Iterations > 0 ? loop.Elapsed.TotalSeconds / loop.Iterations : 0,
            // The cores of a remote cluster are not known here.
            connection.IsEmbedded ? WorkCalibration.Efficiency(loop.Calls, workMicroseconds, loop.Elapsed.TotalSeconds) : null,
            loop.TotalRows,
            loop.Checksum,
            loop.Retries,
            loop.Replays,
            snapshots,
            snapshotBytes,
            durability,
            loopSyncs?.Syncs,
            loopSyncs?.SyncedWrites,
            connection.Description,
            Sw1Reference.Compare(parameters, loop.TotalRows, loop.Checksum));
        if (output.Json)
        {
            output.WriteJson(summary);
        }
        else
        {
            output.WriteTable($"SW1 on {connection.Description}", summary.TableRows());
            output.Out.WriteLine(summary.DurabilityLine());
        }

        return ExitCodes.Success;
    }
}
