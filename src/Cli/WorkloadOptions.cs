using System.CommandLine;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>SW1's parameters as flags (<c>docs/workload.md</c>), with the workload's defaults.</summary>
internal sealed class WorkloadOptions
{
    private static readonly Sw1Parameters Defaults = new();

    public Option<int> Objects { get; } = Create("--objects", "N", "Number of ArrayDicts, ids 0..N-1.", Defaults.Objects, 0, 10_000_000);

    public Option<int> Rows { get; } = Create("--rows", "R", "Initial rows per ArrayDict.", Defaults.Rows, 1, 500_000_000);

    public Option<int> Updates { get; } = Create("--updates", "U", "Updates of existing rows per call.", Defaults.Updates, 0, 100_000_000);

    public Option<int> Appends { get; } = Create("--appends", "A", "Rows appended per call.", Defaults.Appends, 0, 100_000_000);

    public Option<int> Iterations { get; } = Create("--iterations", "T", "Iteration budget: object i is done after (i mod T) + 1 calls.", Defaults.Budget, 1, 1_000_000);

    public Option<int> Width { get; } = Create("--width", "W", "Values per row.", Defaults.Width, 1, 1_000_000);

    public Option<int> WorkMicroseconds { get; } = Create(
        "--work-us", "K", "Each call also does about K microseconds of deterministic CPU work (calibrated at start with every core busy); its outcome goes into the result, not the rows.", 0, 0, 60_000_000);

    public void AddTo(Command command)
    {
        foreach (var option in new[] { Objects, Rows, Updates, Appends, Iterations, Width, WorkMicroseconds })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>
    /// The parameters given, with <c>--work-us</c> turned into a step count by <see cref="WorkCalibration"/> (which takes
    /// about half a second when K > 0); a combination whose ArrayDicts could not exist is a usage error.
    /// </summary>
    public Sw1Parameters Parameters(ParseResult parse, CancellationToken cancellationToken)
    {
        var parameters = new Sw1Parameters(
            parse.GetValue(Objects), parse.GetValue(Rows), parse.GetValue(Updates), parse.GetValue(Appends), parse.GetValue(Iterations), parse.GetValue(Width));
        long finalRows = parameters.Rows + ((long)parameters.Appends * parameters.Budget);
        long values = finalRows * parameters.Width;
        if (finalRows > int.MaxValue || values > Array.MaxLength)
        {
            throw CliException.Usage(
                $"With --rows {parameters.Rows}, --appends {parameters.Appends}, --iterations {parameters.Budget} and --width {parameters.Width}, an ArrayDict would reach {finalRows} rows of {parameters.Width} values, more than one .NET array holds ({Array.MaxLength} values).");
        }

        int workMicroseconds = parse.GetValue(WorkMicroseconds);
        return workMicroseconds == 0 ? parameters : parameters with { WorkIterations = WorkCalibration.IterationsFor(workMicroseconds, cancellationToken) };
    }

    private static Option<int> Create(string name, string helpName, string description, int defaultValue, int min, int max)
    {
        var option = new Option<int>(name) { Description = description, HelpName = helpName, DefaultValueFactory = _ => defaultValue };
        Validation.Between(option, min, max);
        return option;
    }
}
