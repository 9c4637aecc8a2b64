using Spectre.Console;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>
/// Progress bars on a terminal: one for the fill, then one per iteration (calls done of calls considered).
/// Reports come from many calls at once and may arrive out of order; a bar only moves forward.
/// </summary>
internal sealed class ProgressDisplay(ProgressContext context) : IProgress<IterationProgress>
{
    private readonly Lock _lock = new();
    private ProgressTask? _task;
    private string? _label;

    /// <summary>Shows <paramref name="work"/> with progress bars when <paramref name="console"/> is a terminal, else runs it without.</summary>
    public static async Task<T> RunAsync<T>(IAnsiConsole console, bool show, Func<Func<string, IProgress<IterationProgress>>?, Task<T>> work)
    {
        if (!show)
        {
            return await work(null);
        }

        return await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new CallsColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var display = new ProgressDisplay(context);
                try
                {
                    return await work(display.For);
                }
                finally
                {
                    display.Finish();
                }
            });
    }

    /// <summary>Reports for the phase <paramref name="label"/> (<c>{0}</c> is replaced by the iteration).</summary>
    public IProgress<IterationProgress> For(string label)
    {
        lock (_lock)
        {
            _label = label;
            _task?.StopTask();
            _task = null;
        }

        return this;
    }

    public void Report(IterationProgress value)
    {
        lock (_lock)
        {
            string description = string.Format(System.Globalization.CultureInfo.InvariantCulture, _label ?? "iteration {0}", value.Iteration);
            if (_task is null || _task.Description != description)
            {
                _task?.StopTask();
                _task = context.AddTask(description, maxValue: Math.Max(1, value.Considered));
            }

            _task.Value = Math.Max(_task.Value, value.Completed);
        }
    }

    private void Finish()
    {
        lock (_lock)
        {
            _task?.StopTask();
        }
    }
}
