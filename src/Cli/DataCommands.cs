using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using ArrayDictOrleans.Client.Files;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>Commands that look at and move one ArrayDict: info, get, set, remove, clear, export, import.</summary>
internal static class DataCommands
{
    public static IEnumerable<Command> Create(CliCommands cli)
    {
        yield return Info(cli);
        yield return Get(cli);
        yield return Set(cli);
        yield return Remove(cli);
        yield return Clear(cli);
        yield return Export(cli);
        yield return Import(cli);
    }

    private static Argument<long> Id() => new("id") { Description = "The ArrayDict's id (its grain's key)." };

    private static Argument<long> Key() => new("key") { Description = "The key in the ArrayDict." };

    private static Option<int?> PageRows()
    {
        var option = new Option<int?>("--page-rows")
        {
            Description = "Rows per page (one grain call each); by default about 4 MiB of rows.",
            HelpName = "rows",
        };
        option.Validators.Add(result =>
        {
            if (Validation.TryGet(result, out int? rows) && rows is < 1 or > 50_000_000)
            {
                result.AddError($"--page-rows is {rows}; it must lie in 1..50000000.");
            }
        });
        return option;
    }

    private static Command Info(CliCommands cli)
    {
        var id = Id();
        var command = new Command("info", "Show an ArrayDict's size, width, capacity, memory, last epoch and last snapshot.") { id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = cli.Output(parse);
            await using var connection = await cli.ConnectAsync(parse, cancellationToken);
            var info = await connection.Client.Get(parse.GetValue(id)).GetInfoAsync();
            if (output.Json)
            {
                output.WriteJson(info);
            }
            else
            {
                var c = CultureInfo.InvariantCulture;
                output.WriteTable($"ArrayDict {info.Id}", [
                    ("keys", info.Count.ToString("N0", c)),
                    ("width", info.Width.ToString(c)),
                    ("capacity (rows)", info.Capacity.ToString("N0", c)),
                    ("memory bytes", info.MemoryBytes.ToString("N0", c)),
                    ("last applied epoch", info.LastAppliedEpoch?.ToString(c) ?? "none"),
                    ("last snapshot", info.LastSnapshotAt?.ToString("u", c) ?? "none by this activation"),
                    ("last snapshot bytes", info.LastSnapshotBytes?.ToString("N0", c) ?? "-"),
                    ("unsaved changes", info.UnsavedChanges.ToString(c)),
                ]);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Get(CliCommands cli)
    {
        var id = Id();
        var key = Key();
        var command = new Command("get", "Print the row of a key (its W values).") { id, key };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = cli.Output(parse);
            await using var connection = await cli.ConnectAsync(parse, cancellationToken);
            var values = await connection.Client.Get(parse.GetValue(id)).GetRowAsync(parse.GetValue(key));
            if (output.Json)
            {
                output.WriteJson(new { id = parse.GetValue(id), key = parse.GetValue(key), values });
            }
            else
            {
                output.Out.WriteLine(string.Join(" ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Set(CliCommands cli)
    {
        var id = Id();
        var key = Key();
        var values = new Argument<double[]>("values")
        {
            Description = "The row's values, W of them (W is 1 for a new ArrayDict; 'clear ID --width W' sets it).",
            Arity = ArgumentArity.OneOrMore,
            CustomParser = ParseDoubles,
        };
        var command = new Command("set", "Set the row of a key, adding the key when it is absent.") { id, key, values };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = cli.Output(parse);
            double[] row = parse.GetValue(values) ?? [];
            await using var connection = await cli.ConnectAsync(parse, cancellationToken);
            await connection.Client.Get(parse.GetValue(id)).SetRowAsync(parse.GetValue(key), row);
            Report(output, new { id = parse.GetValue(id), key = parse.GetValue(key), values = row }, $"ArrayDict {parse.GetValue(id)}: key {parse.GetValue(key)} set.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Remove(CliCommands cli)
    {
        var id = Id();
        var key = Key();
        var command = new Command("remove", "Remove a key; its row is reused by a later insert.") { id, key };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = cli.Output(parse);
            await using var connection = await cli.ConnectAsync(parse, cancellationToken);
            bool removed = await connection.Client.Get(parse.GetValue(id)).RemoveAsync(parse.GetValue(key));
            Report(
                output,
                new { id = parse.GetValue(id), key = parse.GetValue(key), removed },
                removed ? $"ArrayDict {parse.GetValue(id)}: key {parse.GetValue(key)} removed." : $"ArrayDict {parse.GetValue(id)}: key {parse.GetValue(key)} was not present.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Clear(CliCommands cli)
    {
        var id = Id();
        var width = new Option<int?>("--width") { Description = "Values per row from now on (default: the current width).", HelpName = "W" };
        Validation.AtLeast(width, 1);
        var force = new Option<bool>("--force")
        {
            Description = "Also when its stored state cannot be read (damaged): delete every stored form of it, whatever it holds. What a damaged state held cannot be recovered afterwards.",
        };
        var command = new Command("clear", "Empty an ArrayDict, forget its epochs and delete its snapshot.") { id, width, force };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = cli.Output(parse);
            long arrayDictId = parse.GetValue(id);
            bool forced = parse.GetValue(force);
            await using var connection = await cli.ConnectAsync(parse, cancellationToken);
            var grain = connection.Client.Get(arrayDictId);
            string? damage = null;
            if (forced)
            {
                damage = await grain.ForceClearAsync(parse.GetValue(width));
                if (damage is not null)
                {
                    output.Error.WriteLine($"arraydict: warning: the stored state of ArrayDict {arrayDictId} could not be read and was deleted; what it held cannot be recovered. The read error was: {damage}");
                }
            }
            else
            {
                await grain.ClearAsync(parse.GetValue(width));
            }

            if (parse.GetValue(width) is not null)
            {
                // Clearing deletes the snapshot, so a new width would live only as long as the activation: persist the
                // empty ArrayDict so that the width holds for the next command.
                await grain.CheckpointAsync();
            }

            var info = await grain.GetInfoAsync();
            Report(
                output,
                new { id = info.Id, width = info.Width, forced, damaged = damage },
                damage is null
                    ? $"ArrayDict {info.Id} cleared (width {info.Width})."
                    : $"ArrayDict {info.Id} cleared (width {info.Width}); its damaged stored state was deleted.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Export(CliCommands cli)
    {
        var id = Id();
        var file = new Option<string>("--out", "-o") { Description = "The file to write: .adsnap or .snapshot (ArrayDict snapshot) or .npz (numpy).", HelpName = "file", Required = true };
        var pageRows = PageRows();
        var command = new Command("export", "Write an ArrayDict to a file, page by page as the pages arrive; an existing file is replaced only once the new one is complete.") { id, file, pageRows };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = cli.Output(parse);
            string path = parse.GetValue(file)!;
            CheckFormat(path);
            await using var connection = await cli.ConnectAsync(parse, cancellationToken);
            var result = await ArrayDictFileTransfer.ExportAsync(connection.Client, parse.GetValue(id), path, parse.GetValue(pageRows), cancellationToken);
            Report(output, Describe(parse.GetValue(id), path, result), string.Create(
                CultureInfo.InvariantCulture,
                $"Exported ArrayDict {parse.GetValue(id)} to {path}: {result.Rows:N0} rows of width {result.Width}, {result.FileBytes:N0} bytes, {result.Pages} page(s)."));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Import(CliCommands cli)
    {
        var id = Id();
        var file = new Option<string>("--in", "-i") { Description = "The file to read: .adsnap or .snapshot (ArrayDict snapshot) or .npz (numpy).", HelpName = "file", Required = true };
        var pageRows = PageRows();
        var command = new Command("import", "Replace an ArrayDict by a file's content, all or nothing (its epochs are kept).") { id, file, pageRows };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = cli.Output(parse);
            string path = parse.GetValue(file)!;
            CheckFormat(path);

            // The file is checked whole before any cluster is contacted: a bad file fails fast and changes nothing.
            using var reader = ArrayDictFileTransfer.OpenReader(path);
            await using var connection = await cli.ConnectAsync(parse, cancellationToken);
            var result = await ArrayDictFileTransfer.ImportAsync(connection.Client, parse.GetValue(id), path, reader, parse.GetValue(pageRows), cancellationToken);
            Report(output, Describe(parse.GetValue(id), path, result), string.Create(
                CultureInfo.InvariantCulture,
                $"Imported {path} into ArrayDict {parse.GetValue(id)}: {result.Rows:N0} rows of width {result.Width}, {result.Pages} page(s)."));
            return ExitCodes.Success;
        });
        return command;
    }

    private static object Describe(long id, string path, FileTransferResult result) =>
        new { id, file = path, format = result.Format, rows = result.Rows, width = result.Width, pages = result.Pages, fileBytes = result.FileBytes };

    private static void Report(CliOutput output, object json, string text)
    {
        if (output.Json)
        {
            output.WriteJson(json);
        }
        else
        {
            output.Out.WriteLine(text);
        }
    }

    private static void CheckFormat(string path)
    {
        try
        {
            ArrayDictFileTransfer.FormatOf(path);
        }
        catch (ArrayDictFileException unknown)
        {
            throw CliException.Usage(unknown.Message, unknown);
        }
    }

    private static double[] ParseDoubles(ArgumentResult result)
    {
        var values = new double[result.Tokens.Count];
        for (int i = 0; i < values.Length; i++)
        {
            string token = result.Tokens[i].Value;
            if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
            {
                result.AddError($"'{token}' is not a number (use a dot for decimals, e.g. 2.5 or -1e-3).");
                return [];
            }

            if (double.IsInfinity(values[i]) && !token.TrimStart('+', '-').Equals("Infinity", StringComparison.OrdinalIgnoreCase))
            {
                result.AddError($"'{token}' is beyond the range of a double (about ±1.8e308); write Infinity or -Infinity for an infinite value.");
                return [];
            }
        }

        return values;
    }
}
