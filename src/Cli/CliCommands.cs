using System.CommandLine;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>The program's commands and flags, bound to the writers of one run of the program.</summary>
internal sealed class CliCommands
{
    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;

    public CliCommands(TextWriter stdout, TextWriter stderr, ProgramClock clock)
    {
        _stdout = stdout;
        _stderr = stderr;
        Clock = clock;
        Root = new RootCommand(
            "arraydict: ArrayDicts held by Orleans grains. 'run' runs the reference workload SW1 (the main job); the other commands look at and move one ArrayDict. "
            + "Without --gateway (or configured gateways or AzureTable clustering) a silo is hosted in this process, with snapshots under ./data. "
            + "Settings also come from appsettings.json beside the program and from environment variables (ArrayDict__Gateways__0=host:port, ...).");
        foreach (var option in Global.All)
        {
            Root.Options.Add(option);
        }

        Root.Subcommands.Add(RunCommand.Create(this));
        foreach (var command in DataCommands.Create(this))
        {
            Root.Subcommands.Add(command);
        }

        Root.Subcommands.Add(BenchCommand.Create(this));
    }

    public RootCommand Root { get; }

    public GlobalOptions Global { get; } = new();

    /// <summary>Time since the program started.</summary>
    public ProgramClock Clock { get; }

    /// <summary>The writers of this run, with <c>--json</c> as the parse result says.</summary>
    public CliOutput Output(ParseResult parse) => new(_stdout, _stderr, parse.GetValue(Global.Json));

    /// <summary>Connects as the global flags say.</summary>
    public Task<ClusterConnection> ConnectAsync(ParseResult parse, CancellationToken cancellationToken) =>
        ClusterConnection.OpenAsync(Global.Settings(parse), _stderr, cancellationToken);
}
