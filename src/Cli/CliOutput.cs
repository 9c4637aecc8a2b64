using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>Where a command writes: its result on stdout (a table or, with <c>--json</c>, one JSON object), messages on stderr.</summary>
internal sealed class CliOutput
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public CliOutput(TextWriter stdout, TextWriter stderr, bool json)
    {
        Out = stdout;
        Error = stderr;
        Json = json;
        IsTerminal = ReferenceEquals(stdout, System.Console.Out) && !System.Console.IsOutputRedirected;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = IsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = IsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = IsTerminal ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!IsTerminal)
        {
            // A file or a pipe has no width; keep tables on one line per row.
            Console.Profile.Width = 160;
        }
    }

    /// <summary>stdout.</summary>
    public TextWriter Out { get; }

    /// <summary>stderr.</summary>
    public TextWriter Error { get; }

    /// <summary>Whether results are printed as JSON.</summary>
    public bool Json { get; }

    /// <summary>Whether stdout is a terminal (progress bars are shown only there).</summary>
    public bool IsTerminal { get; }

    /// <summary>Whether to show progress bars: on a terminal, and not with <c>--json</c>.</summary>
    public bool ShowProgress => IsTerminal && !Json;

    /// <summary>The console over stdout, for tables and progress.</summary>
    public IAnsiConsole Console { get; }

    /// <summary>Writes <paramref name="value"/> as one JSON object on one line of stdout.</summary>
    public void WriteJson<T>(T value) => Out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    /// <summary>Writes a two-column table of <paramref name="rows"/>.</summary>
    public void WriteTable(string? title, IEnumerable<(string Name, string Value)> rows)
    {
        var table = new Table().Border(TableBorder.Rounded);
        if (title is not null)
        {
            table.Title(Markup.Escape(title));
        }

        table.AddColumn("measure");
        table.AddColumn(new TableColumn("value").RightAligned());
        foreach (var (name, value) in rows)
        {
            table.AddRow(Markup.Escape(name), Markup.Escape(value));
        }

        Console.Write(table);
    }
}
