using System.CommandLine;
using System.Globalization;
using ArrayDictOrleans.Client.Bench;
using ArrayDictOrleans.Grains;
using ArrayDictOrleans.Grains.Persistence;
using ArrayDictOrleans.Workload;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using Spectre.Console;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>
/// <c>arraydict bench</c>: SW1 with the same parameters in several variants, one after another in this process, each on
/// a fresh embedded silo and a fresh data directory; then the bytes a call sends at several row counts, over a real
/// gateway connection.
/// </summary>
internal static class BenchCommand
{
    public const string Raw = "raw";
    public const string OrleansBare = "orleans-bare";
    public const string Orleans = "orleans";
    public const string OrleansSnapshots = "orleans-snapshots";
    public const string OrleansJsonSnapshots = "orleans-json-snapshots";
    public const string OrleansJournal = "orleans-journal";

    private static readonly string[] AllVariants = [Raw, OrleansBare, Orleans, OrleansJournal, OrleansSnapshots, OrleansJsonSnapshots];

    public static Command Create(CliCommands cli)
    {
        var workload = new WorkloadOptions();
        var variants = new Option<string[]>("--variants")
        {
            Description = $"Variants to run, in order ({string.Join(", ", AllVariants)}); the first is the base of the ratios.",
            HelpName = "name",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => AllVariants,
        };
        variants.Validators.Add(result =>
        {
            Validation.TryGet(result, out string[]? names);
            foreach (string name in names ?? [])
            {
                if (!AllVariants.Contains(name))
                {
                    result.AddError($"--variants has '{name}'; use {string.Join(", ", AllVariants)}.");
                }
            }
        });
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
        var command = new Command("bench", "Run SW1 in each variant (raw Parallel.For, a plain Orleans grain, ours without persistence, with the journal, with a binary snapshot per call, with a JSON snapshot per call) and measure the bytes a call sends.")
        {
            variants, bytesRows, bytesObjects, noBytes,
        };
        workload.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(
            cli,
            parse,
            workload.Parameters(parse),
            parse.GetValue(variants) ?? AllVariants,
            parse.GetValue(noBytes) ? [] : parse.GetValue(bytesRows) ?? [],
            parse.GetValue(bytesObjects),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        CliCommands cli, ParseResult parse, Sw1Parameters parameters, string[] variants, int[] bytesRows, int bytesObjects, CancellationToken cancellationToken)
    {
        var output = cli.Output(parse);
        var settings = cli.Global.Settings(parse);
        string root = Path.GetFullPath(settings.DataDirectory ?? "data");
        var results = new List<(string Name, TimeSpan Fill, Sw1LoopResult Loop, long DataBytes)>();
        var bytes = new List<BytesPerCall>();
        await ProgressDisplay.RunAsync(output.Console, output.ShowProgress, async progress =>
        {
            foreach (string variant in variants)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                if (variant == Raw)
                {
                    progress?.Invoke(Raw);

                    // Once untimed, so that JIT tiering of the workload's code does not count against the floor.
                    RawSw1.Run(parameters, cancellationToken);
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    var (fill, loop) = RawSw1.Run(parameters, cancellationToken);
                    results.Add((Raw, fill, loop, 0));
                    continue;
                }

                string dataDirectory = Path.Combine(root, $"bench-{variant}-{Guid.NewGuid():N}");
                try
                {
                    await using var connection = await ClusterConnection.OpenAsync(
                        settings,
                        output.Error,
                        cancellationToken,
                        VariantSettings(variant, dataDirectory),
                        variant == OrleansJsonSnapshots ? UseNewtonsoftJsonSnapshots : null,
                        forceEmbedded: true);
                    if (variant == OrleansBare)
                    {
                        progress?.Invoke(OrleansBare);
                        var (bareFill, bareLoop) = await BareSw1.RunAsync(connection.Grains, parameters);
                        results.Add((variant, bareFill, bareLoop, 0));
                        continue;
                    }

                    var fill = await Sw1Driver.FillAsync(connection.Client, parameters, progress?.Invoke($"{variant}: fill"), cancellationToken);
                    var loop = await Sw1Driver.LoopAsync(connection.Client, parameters, progress?.Invoke($"{variant}: iteration {{0}}"), cancellationToken);
                    results.Add((variant, fill, loop, DirectoryBytes(dataDirectory)));

                    // Untimed: so that the silo's shutdown has nothing left to write.
                    await Sw1Driver.ClearAsync(connection.Client, parameters, cancellationToken);
                }
                finally
                {
                    if (Directory.Exists(dataDirectory))
                    {
                        Directory.Delete(dataDirectory, recursive: true);
                    }
                }
            }

            if (bytesRows.Length > 0)
            {
                bytes.AddRange(await MeasureBytesPerCallAsync(settings, output.Error, parameters, bytesRows, bytesObjects, progress, cancellationToken));
            }

            return 0;
        });

        CheckAgreement(results);
        double baseSeconds = results.Count > 0 ? results[0].Loop.Elapsed.TotalSeconds : 0;
        var report = new BenchReport(
            [.. results.Select(r => new BenchVariant(
                r.Name,
                r.Loop.Elapsed.TotalSeconds,
                r.Loop.CallsPerSecond,
                baseSeconds > 0 ? r.Loop.Elapsed.TotalSeconds / baseSeconds : 0))],
            [.. bytes]);
        if (output.Json)
        {
            output.WriteJson(report);
        }
        else
        {
            WriteTables(output, parameters, results, bytes, bytesObjects);
        }

        return ExitCodes.Success;
    }

    /// <summary>The settings that make a variant: its storage and persistence policy, over a fresh data directory.</summary>
    private static Dictionary<string, string?> VariantSettings(string variant, string dataDirectory) => new()
    {
        ["ArrayDict:DataDirectory"] = dataDirectory,
        ["ArrayDict:Storage"] = variant is Orleans or OrleansBare ? "Memory" : "Local",
        ["ArrayDict:PersistEvery"] = variant is Orleans or OrleansBare ? "0" : "1",
        ["ArrayDict:SnapshotMode"] = variant == OrleansJournal ? "Journal" : "Full",
        ["ArrayDict:Dashboard:Enabled"] = "false",
    };

    /// <summary>
    /// Orleans' default JSON grain-storage serializer (<see cref="JsonGrainStorageSerializer"/>, Newtonsoft) on the local
    /// provider, as a user without this project's snapshot format would have it, with the one converter that ArrayDict needs.
    /// </summary>
    private static void UseNewtonsoftJsonSnapshots(ISiloBuilder silo)
    {
        silo.Services.Configure<OrleansJsonSerializerOptions>(options => options.JsonSerializerSettings.Converters.Add(new ArrayDictNewtonsoftConverter()));
        silo.Services.AddOptions<LocalFileGrainStorageOptions>(ArrayDictGrainOptions.StorageName)
            .PostConfigure<OrleansJsonSerializer>((options, json) => options.GrainStorageSerializer = new JsonGrainStorageSerializer(json));
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
        var clientSettings = settings with { Gateways = [$"127.0.0.1:{silo.GatewayPort}"], Clustering = "Localhost" };
        await using var client = await ClusterConnection.OpenAsync(clientSettings, error, cancellationToken);
        using var meter = new MessageBytesMeter();
        foreach (int rows in rowCounts)
        {
            var measured = parameters with { Objects = objects, Rows = rows };
            await Sw1Driver.FillAsync(client.Client, measured, progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"bytes per call, R = {rows:N0}: fill")), cancellationToken);
            meter.Reset();
            var loop = await Sw1Driver.LoopAsync(client.Client, measured, progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"bytes per call, R = {rows:N0}: iteration {{0}}")), cancellationToken);
            results.Add(new BytesPerCall(rows, loop.Calls > 0 ? (double)meter.Bytes / loop.Calls : 0));
        }

        // Leave nothing for the silo's shutdown to write.
        await Sw1Driver.ClearAsync(client.Client, parameters with { Objects = objects }, cancellationToken);
        return results;
    }

    private static void CheckAgreement(List<(string Name, TimeSpan Fill, Sw1LoopResult Loop, long DataBytes)> results)
    {
        foreach (var result in results.Skip(1))
        {
            var first = results[0];
            bool rowsAgree = result.Loop.TotalRows == first.Loop.TotalRows;
            bool sumsAgree = Math.Abs(result.Loop.Checksum - first.Loop.Checksum) <= Math.Abs(first.Loop.Checksum) * 1e-9;
            if (!rowsAgree || !sumsAgree)
            {
                throw new CliException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"The variants disagree: {first.Name} gave totalRows {first.Loop.TotalRows} and checksum {first.Loop.Checksum:R}, {result.Name} gave {result.Loop.TotalRows} and {result.Loop.Checksum:R}."));
            }
        }
    }

    private static long DirectoryBytes(string directory) =>
        Directory.Exists(directory) ? new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;

    private static void WriteTables(
        CliOutput output, Sw1Parameters parameters, List<(string Name, TimeSpan Fill, Sw1LoopResult Loop, long DataBytes)> results, List<BytesPerCall> bytes, int bytesObjects)
    {
        var c = CultureInfo.InvariantCulture;
        var table = new Table().Border(TableBorder.Rounded)
            .Title(string.Create(c, $"SW1: N={parameters.Objects:N0} R={parameters.Rows:N0} U={parameters.Updates} A={parameters.Appends} T={parameters.Budget} W={parameters.Width}"));
        table.AddColumn("variant");
        foreach (string column in new[] { "fill s", "loop s", "calls/s", "ms/iteration", "x first", "snapshots on disk" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        double baseSeconds = results.Count > 0 ? results[0].Loop.Elapsed.TotalSeconds : 0;
        foreach (var (name, fill, loop, dataBytes) in results)
        {
            table.AddRow(
                name,
                fill.TotalSeconds.ToString("F3", c),
                loop.Elapsed.TotalSeconds.ToString("F3", c),
                loop.CallsPerSecond.ToString("N0", c),
                (loop.Iterations > 0 ? loop.Elapsed.TotalMilliseconds / loop.Iterations : 0).ToString("F1", c),
                (baseSeconds > 0 ? loop.Elapsed.TotalSeconds / baseSeconds : 0).ToString("F2", c),
                dataBytes > 0 ? dataBytes.ToString("N0", c) : "-");
        }

        output.Console.Write(table);
        if (results.Count > 0)
        {
            output.Out.WriteLine(string.Create(c, $"Every variant: {results[0].Loop.Calls:N0} calls, totalRows {results[0].Loop.TotalRows:N0}, checksum {results[0].Loop.Checksum:R}."));
        }

        if (bytes.Count > 0)
        {
            var bytesTable = new Table().Border(TableBorder.Rounded)
                .Title(string.Create(c, $"Bytes per call over a loopback gateway connection (N={bytesObjects}, request + response)"));
            bytesTable.AddColumn(new TableColumn("R").RightAligned());
            bytesTable.AddColumn(new TableColumn("bytes/call").RightAligned());
            foreach (var entry in bytes)
            {
                bytesTable.AddRow(entry.Rows.ToString("N0", c), entry.Bytes.ToString("N0", c));
            }

            output.Console.Write(bytesTable);
        }
    }
}

/// <summary>The report of <c>arraydict bench --json</c>.</summary>
/// <param name="Variants">Each variant run, in order.</param>
/// <param name="BytesPerCall">The bytes a call sends, per row count.</param>
internal sealed record BenchReport(BenchVariant[] Variants, BytesPerCall[] BytesPerCall);

/// <summary>One variant's loop.</summary>
/// <param name="Name">raw, orleans, orleans-snapshots, orleans-json-snapshots or orleans-journal.</param>
/// <param name="LoopSeconds">Wall time of the driver loop.</param>
/// <param name="CallsPerSecond">Calls over loop time.</param>
/// <param name="RatioToRaw">Loop time over the first variant's (raw, by default).</param>
internal sealed record BenchVariant(string Name, double LoopSeconds, double CallsPerSecond, double RatioToRaw);

/// <summary>The bytes sent per call at <see cref="Rows"/> initial rows.</summary>
/// <param name="Rows">R.</param>
/// <param name="Bytes">Bytes sent per call, request and response together.</param>
internal sealed record BytesPerCall(int Rows, double Bytes);
