using System.CommandLine;
using ArrayDictOrleans.Client.Bench;

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
            Description = $"Variants to run, in order ({string.Join(", ", BenchVariants.All)}; besides, {string.Join(" and ", BenchNetwork.Variants)}: a client over a loopback socket, without and with mutual TLS); the first is the base of the ratios.",
            HelpName = "name",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => BenchVariants.All,
        };
        variants.Validators.Add(result =>
        {
            Validation.TryGet(result, out string[]? names);
            foreach (string name in names ?? [])
            {
                if (!BenchVariants.All.Contains(name) && !BenchNetwork.Variants.Contains(name))
                {
                    result.AddError($"--variants has '{name}'; use {string.Join(", ", BenchVariants.All.Concat(BenchNetwork.Variants))}.");
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
        var warmup = new Option<int>("--warmup")
        {
            Description = "Run every variant this many times first, untimed and left out of the medians, so that the JIT has compiled each variant's own code before its timed rounds.",
            HelpName = "W",
            DefaultValueFactory = _ => 1,
        };
        Validation.Between(warmup, 0, 100);
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
            variants, rounds, warmup, bytesRows, bytesObjects, noBytes,
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
            var plan = new BenchPlan(parameters, parse.GetValue(workload.WorkMicroseconds), chosen, parse.GetValue(rounds), storage, parse.GetValue(warmup));
            return BenchRunner.RunAsync(output, settings, plan, parse.GetValue(noBytes) ? [] : parse.GetValue(bytesRows) ?? [], parse.GetValue(bytesObjects), cancellationToken);
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
}
