using System.CommandLine;
using System.Globalization;
using ArrayDictOrleans.Client.Bench;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>
/// <c>arraydict bench</c>: SW1 with the same parameters in several variants (<see cref="BenchVariants"/>), in this process,
/// each run on a fresh embedded silo and a fresh place for its state; with <c>--rounds R</c> every variant runs R times,
/// round by round, and the report gives medians. Then the bytes a call sends at several row counts, over a real gateway
/// connection.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(CliCommands cli)
    {
        var workload = new WorkloadOptions();
        var variants = new Option<string[]>("--variants")
        {
            Description = $"Variants to run, in order ({string.Join(", ", BenchVariants.All)}); the first is the base of the ratios.",
            HelpName = "name",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => BenchVariants.All,
        };
        variants.Validators.Add(result =>
        {
            Validation.TryGet(result, out string[]? names);
            foreach (string name in names ?? [])
            {
                if (!BenchVariants.All.Contains(name))
                {
                    result.AddError($"--variants has '{name}'; use {string.Join(", ", BenchVariants.All)}.");
                }
            }
        });
        var rounds = new Option<int>("--rounds")
        {
            Description = "Run the variants this many times, interleaved round by round; the report gives each variant's median.",
            HelpName = "R",
            DefaultValueFactory = _ => 1,
        };
        Validation.Between(rounds, 1, 1000);
        var bytesRows = new Option<int[]>("--bytes-rows")
        {
            Description = "Row counts R at which to measure the bytes a call sends.",
            HelpName = "R",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [100, 10_000, 1_000_000],
        };
        bytesRows.Validators.Add(result =>
        {
            Validation.TryGet(result, out int[]? counts);
            foreach (int rows in counts ?? [])
            {
                if (rows is < 1 or > 50_000_000)
                {
                    result.AddError($"--bytes-rows has {rows}; each must lie in 1..50000000.");
                }
            }
        });
        var bytesObjects = new Option<int>("--bytes-objects")
        {
            Description = "ArrayDicts in the bytes-per-call measurement (their calls are averaged).",
            HelpName = "N",
            DefaultValueFactory = _ => 8,
        };
        Validation.Between(bytesObjects, 1, 10_000);
        var noBytes = new Option<bool>("--no-bytes") { Description = "Skip the bytes-per-call measurement." };
        var command = new Command(
            "bench",
            "Run SW1 in each variant (raw Parallel.For, a plain Orleans grain, ours without persistence, with the synced journal, with the journal unsynced, with a binary snapshot per call, with a JSON snapshot per call) and measure the bytes a call sends. "
            + "--storage AzureBlob runs the persisted variants against Azure Blob storage (with --connection-string), each run in a new container deleted afterwards.")
        {
            variants, rounds, bytesRows, bytesObjects, noBytes,
        };
        workload.AddTo(command);
        command.SetAction((parse, cancellationToken) =>
        {
            var output = cli.Output(parse);
            var settings = cli.Global.Settings(parse);
            var storage = StorageOf(settings);
            var chosen = Variants(parse.GetValue(variants) ?? BenchVariants.All, explicitly: parse.GetResult(variants) is { Implicit: false }, storage);

            // Calibrated before any silo starts, so that nothing else competes for the cores while the kernel is timed.
            var parameters = workload.Parameters(parse, cancellationToken);
            var plan = new BenchPlan(parameters, parse.GetValue(workload.WorkMicroseconds), chosen, parse.GetValue(rounds), storage);
            return RunAsync(output, settings, plan, parse.GetValue(noBytes) ? [] : parse.GetValue(bytesRows) ?? [], parse.GetValue(bytesObjects), cancellationToken);
        });
        return command;
    }

    private static BenchStorage StorageOf(ConnectionSettings settings) => settings.Storage switch
    {
        null => BenchStorage.Local,
        _ when string.Equals(settings.Storage, "Local", StringComparison.OrdinalIgnoreCase) => BenchStorage.Local,
        _ when string.Equals(settings.Storage, "AzureBlob", StringComparison.OrdinalIgnoreCase) => BenchStorage.AzureBlob,
        _ => throw CliException.Usage($"bench --storage is '{settings.Storage}'; use Local (the default) or AzureBlob: the variants without persistence already keep their state in memory."),
    };

    /// <summary>The variants to run on <paramref name="storage"/>: one named that means nothing there is refused, a default one dropped.</summary>
    private static string[] Variants(string[] names, bool explicitly, BenchStorage storage)
    {
        var refused = names.Where(name => !BenchVariants.RunsOn(name, storage)).ToArray();
        if (refused.Length > 0 && explicitly)
        {
            throw CliException.Usage(
                $"--variants has {string.Join(", ", refused)}, which gives up syncing local files; with --storage AzureBlob every write is durable when Azure answers, so it would run {BenchVariants.OrleansJournal} again. Leave it out.");
        }

        return [.. names.Where(name => BenchVariants.RunsOn(name, storage)).Distinct()];
    }

    private static async Task<int> RunAsync(CliOutput output, ConnectionSettings settings, BenchPlan plan, int[] bytesRows, int bytesObjects, CancellationToken cancellationToken)
    {
        string root = Path.GetFullPath(settings.DataDirectory ?? "data");
        var runs = plan.Variants.ToDictionary(variant => variant, _ => new List<BenchRun>());
        var bytes = new List<BytesPerCall>();
        await ProgressDisplay.RunAsync(output.Console, output.ShowProgress, async progress =>
        {
            for (int round = 1; round <= plan.Rounds; round++)
            {
                string prefix = plan.Rounds > 1 ? string.Create(CultureInfo.InvariantCulture, $"round {round}/{plan.Rounds}: ") : string.Empty;
                foreach (string variant in plan.Variants)
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    runs[variant].Add(await RunVariantAsync(output, settings, plan, variant, firstRound: round == 1, root, label => progress?.Invoke(prefix + label), cancellationToken));
                }
            }

            if (bytesRows.Length > 0)
            {
                bytes.AddRange(await MeasureBytesPerCallAsync(settings, output.Error, plan.Parameters, bytesRows, bytesObjects, progress, cancellationToken));
            }

            return 0;
        });

        CheckAgreement(runs);
        var report = BenchReport.Create(plan, runs, bytes);
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

            var (rawFill, rawLoop) = RawSw1.Run(parameters, cancellationToken);
            return new BenchRun(rawFill, rawLoop, 0);
        }

        // Disposed last: the place is deleted once its silo has stopped.
        await using var place = BenchPlace.For(variant, plan.Storage, root);
        await using var connection = await ClusterConnection.OpenAsync(
            settings,
            output.Error,
            cancellationToken,
            BenchVariants.Settings(variant, place),
            BenchVariants.ConfigureSilo(variant, plan.Storage),
            forceEmbedded: true);
        place.Bind(connection.SiloOptions!);
        if (variant == BenchVariants.OrleansBare)
        {
            progress(BenchVariants.OrleansBare);
            var (bareFill, bareLoop) = await BareSw1.RunAsync(connection.Grains, parameters);
            return new BenchRun(bareFill, bareLoop, 0);
        }

        // The variant's own silo and place were made for it: nothing there belongs to anyone else.
        var fill = await Sw1Driver.FillAsync(connection.Client, parameters, firstId: 0, overwrite: true, progress($"{variant}: fill"), cancellationToken);
        var loop = await Sw1Driver.LoopAsync(connection.Client, parameters, firstId: 0, progress($"{variant}: iteration {{0}}"), cancellationToken);
        long stored = await place.StoredBytesAsync(cancellationToken);

        // Untimed: so that the silo's shutdown has nothing left to write.
        await Sw1Driver.ClearAsync(connection.Client, parameters, firstId: 0, cancellationToken);
        return new BenchRun(fill, loop, stored);
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
            await Sw1Driver.FillAsync(client.Client, measured, firstId: 0, overwrite: true, progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"bytes per call, R = {rows:N0}: fill")), cancellationToken);
            meter.Reset();
            var loop = await Sw1Driver.LoopAsync(client.Client, measured, firstId: 0, progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"bytes per call, R = {rows:N0}: iteration {{0}}")), cancellationToken);
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

/// <summary>What <c>arraydict bench</c> runs.</summary>
/// <param name="Parameters">SW1's parameters, with the calibrated work.</param>
/// <param name="WorkMicroseconds">K, the <c>--work-us</c> flag.</param>
/// <param name="Variants">The variants, in order.</param>
/// <param name="Rounds">How many times each variant runs.</param>
/// <param name="Storage">Where the persisted variants keep their state.</param>
internal sealed record BenchPlan(Sw1Parameters Parameters, int WorkMicroseconds, string[] Variants, int Rounds, BenchStorage Storage);

/// <summary>One run of one variant.</summary>
/// <param name="Fill">Wall time of the fill.</param>
/// <param name="Loop">The loop.</param>
/// <param name="StoredBytes">Bytes in its storage after the loop; 0 without persistence.</param>
internal sealed record BenchRun(TimeSpan Fill, Sw1LoopResult Loop, long StoredBytes);
