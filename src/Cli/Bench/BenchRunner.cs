using System.Globalization;
using ArrayDictOrleans.Client.Cli;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Client.Bench;

/// <summary>
/// Runs what <c>arraydict bench</c> asks (<see cref="BenchPlan"/>): every variant round by round, each run on a fresh
/// embedded silo and a fresh place for its state, then the bytes a call sends; checks that all runs agree and prints
/// the report (<see cref="BenchReport"/>).
/// </summary>
internal static class BenchRunner
{
    public static async Task<int> RunAsync(CliOutput output, ConnectionSettings settings, BenchPlan plan, int[] bytesRows, int bytesObjects, CancellationToken cancellationToken)
    {
        string root = Path.GetFullPath(settings.DataDirectory ?? "data");
        var runs = plan.Variants.ToDictionary(variant => variant, _ => new List<BenchRun>());
        var warmups = plan.Variants.ToDictionary(variant => variant, _ => new List<BenchRun>());
        var bytes = new List<BytesPerCall>();
        await ProgressDisplay.RunAsync(output.Console, output.ShowProgress, async progress =>
        {
            int firstRound = 1 - plan.WarmupRounds;
            for (int round = firstRound; round <= plan.Rounds; round++)
            {
                string prefix = round < 1 ? string.Create(CultureInfo.InvariantCulture, $"warm-up {round - firstRound + 1}/{plan.WarmupRounds}: ")
                    : plan.Rounds > 1 ? string.Create(CultureInfo.InvariantCulture, $"round {round}/{plan.Rounds}: ")
                    : string.Empty;
                foreach (string variant in plan.Variants)
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    var run = await RunVariantAsync(output, settings, plan, variant, firstRound: round == firstRound, root, label => progress?.Invoke(prefix + label), cancellationToken);
                    (round < 1 ? warmups : runs)[variant].Add(run);
                }
            }

            if (bytesRows.Length > 0)
            {
                bytes.AddRange(await MeasureBytesPerCallAsync(settings, output.Error, plan.Parameters, bytesRows, bytesObjects, progress, cancellationToken));
            }

            return 0;
        });

        CheckAgreement(runs);
        CheckAgreement(warmups);
        var report = BenchReport.Create(plan, runs, warmups, bytes);
        if (output.Json)
        {
            output.WriteJson(report);
        }
        else
        {
            report.WriteTables(output, plan, bytesObjects);
        }

        return ExitCodes.Success;
    }

    private static async Task<BenchRun> RunVariantAsync(
        CliOutput output,
        ConnectionSettings settings,
        BenchPlan plan,
        string variant,
        bool firstRound,
        string root,
        Func<string, IProgress<IterationProgress>?> progress,
        CancellationToken cancellationToken)
    {
        var parameters = plan.Parameters;
        if (variant == BenchVariants.Raw)
        {
            progress(BenchVariants.Raw);
            if (firstRound)
            {
                // Once untimed, so that JIT tiering of the workload's code does not count against the floor.
                RawSw1.Run(parameters, cancellationToken);
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }

            var (rawFill, rawLoop, rawCollector) = RawSw1.Run(parameters, cancellationToken);
            return new BenchRun(rawFill, rawLoop, 0, rawCollector);
        }

        if (BenchNetwork.Variants.Contains(variant))
        {
            return await BenchNetwork.RunAsync(output, settings, plan, variant, progress, cancellationToken);
        }

        // Disposed last: the place is deleted once its silo has stopped.
        await using var place = BenchPlace.For(variant, plan.Storage, root);
        await using var connection = await ClusterConnection.OpenAsync(
            settings,
            output.Error,
            cancellationToken,
            BenchVariants.Settings(variant, place),
            BenchVariants.ConfigureSilo(variant),
            forceEmbedded: true);
        place.Bind(connection.SiloOptions!);
        if (variant == BenchVariants.OrleansBare)
        {
            progress(BenchVariants.OrleansBare);
            var (bareFill, bareLoop, bareCollector) = await BareSw1.RunAsync(connection.Grains, parameters, cancellationToken);
            return new BenchRun(bareFill, bareLoop, 0, bareCollector);
        }

        // The variant's own silo and place were made for it: nothing there belongs to anyone else.
        var fill = await Sw1Driver.FillAsync(connection.Client, parameters, firstId: 0, overwrite: true, progress($"{variant}: fill"), cancellationToken);
        await JitQuiescence.WaitAsync(cancellationToken);
        var allocation = LoopAllocation.Start();
        var loop = await Sw1Driver.LoopAsync(connection.Client, parameters, firstId: 0, fill, progress($"{variant}: iteration {{0}}"), cancellationToken);
        var collector = allocation.Stop();
        long stored = await place.StoredBytesAsync(cancellationToken);

        // Untimed: so that the silo's shutdown has nothing left to write.
        await Sw1Driver.ClearAsync(connection.Client, parameters, firstId: 0, cancellationToken);
        return new BenchRun(fill.Elapsed, loop, stored, collector);
    }

    /// <summary>
    /// The bytes one SW1 call sends, request and response, at each row count: an embedded silo (no persistence) and a second
    /// host in this process connected to it as a client over loopback, so that every call crosses a real socket.
    /// </summary>
    private static async Task<List<BytesPerCall>> MeasureBytesPerCallAsync(
        ConnectionSettings settings,
        TextWriter error,
        Sw1Parameters parameters,
        int[] rowCounts,
        int objects,
        Func<string, IProgress<IterationProgress>>? progress,
        CancellationToken cancellationToken)
    {
        var results = new List<BytesPerCall>();
        await using var silo = await ClusterConnection.OpenAsync(
            settings,
            error,
            cancellationToken,
            new Dictionary<string, string?> { ["ArrayDict:Storage"] = "Memory", ["ArrayDict:PersistEvery"] = "0", ["ArrayDict:Dashboard:Enabled"] = "false" },
            forceEmbedded: true);
        var clientSettings = settings with { Gateways = [$"127.0.0.1:{silo.GatewayPort}"], Clustering = "Localhost", DataDirectory = null, Storage = null, PersistEvery = null };
        await using var client = await ClusterConnection.OpenAsync(clientSettings, error, cancellationToken);
        using var meter = new MessageBytesMeter();
        foreach (int rows in rowCounts)
        {
            var measured = parameters with { Objects = objects, Rows = rows };
            var fill = await Sw1Driver.FillAsync(client.Client, measured, firstId: 0, overwrite: true, progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"bytes per call, R = {rows:N0}: fill")), cancellationToken);
            meter.Reset();
            var loop = await Sw1Driver.LoopAsync(client.Client, measured, firstId: 0, fill, progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"bytes per call, R = {rows:N0}: iteration {{0}}")), cancellationToken);
            results.Add(new BytesPerCall(rows, loop.Calls > 0 ? (double)meter.Bytes / loop.Calls : 0));
        }

        // Leave nothing for the silo's shutdown to write.
        await Sw1Driver.ClearAsync(client.Client, parameters with { Objects = objects }, firstId: 0, cancellationToken);
        return results;
    }

    /// <summary>Every run of every variant must give the first run's totalRows, and its checksum to a relative 1e-9.</summary>
    private static void CheckAgreement(Dictionary<string, List<BenchRun>> runs)
    {
        var all = runs.SelectMany(pair => pair.Value.Select((run, index) => (Name: pair.Key, Round: index + 1, run.Loop))).ToList();
        if (all.Count == 0)
        {
            return;
        }

        var first = all[0];
        foreach (var other in all.Skip(1))
        {
            bool rowsAgree = other.Loop.TotalRows == first.Loop.TotalRows;
            bool sumsAgree = Math.Abs(other.Loop.Checksum - first.Loop.Checksum) <= Math.Abs(first.Loop.Checksum) * 1e-9;
            if (!rowsAgree || !sumsAgree)
            {
                throw new CliException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"The variants disagree: {first.Name} (round {first.Round}) gave totalRows {first.Loop.TotalRows} and checksum {first.Loop.Checksum:R}, {other.Name} (round {other.Round}) gave {other.Loop.TotalRows} and {other.Loop.Checksum:R}."));
            }
        }
    }
}
