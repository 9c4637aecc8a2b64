using System.Text;

namespace ArrayDictOrleans.Client;

/// <summary>
/// ArrayDicts lost calls that had returned (their grains came back from storage at an older epoch, as after a crash with
/// unsaved changes), and <see cref="ArrayDictClient.RunUntilDoneAsync{TResult}(IEnumerable{long}, Func{long, int, IArrayDictMethod{TResult}}, Func{TResult, bool}, long?, IProgress{IterationProgress}?, int, bool, TimeSpan?, CancellationToken)"/> could not replay them, so it stopped
/// instead of going on from a state that misses those calls. The message names every such ArrayDict of the iteration
/// (up to 10) and its lost epochs.
/// </summary>
public sealed class LostEpochsException : Exception
{
    private const int Named = 10;

    /// <summary>Creates the exception for <paramref name="lost"/>, at least one.</summary>
    public LostEpochsException(IReadOnlyList<LostEpochs> lost)
        : base(Describe(lost))
    {
        Lost = lost;
    }

    /// <summary>Each ArrayDict's lost epochs, by id.</summary>
    public IReadOnlyList<LostEpochs> Lost { get; }

    private static string Describe(IReadOnlyList<LostEpochs> lost)
    {
        ArgumentNullException.ThrowIfNull(lost);
        ArgumentOutOfRangeException.ThrowIfZero(lost.Count);
        var text = new StringBuilder();
        text.Append(lost.Count == 1 ? "An ArrayDict" : $"{lost.Count} ArrayDicts")
            .Append(" lost calls that had returned, as a crash with unsaved changes does (PersistEvery 0 or above 1, or writes not synced to the disk), and the run stopped: ");
        var sorted = lost.OrderBy(l => l.ArrayDictId).ToList();
        text.AppendJoin("; ", sorted.Take(Named));
        if (sorted.Count > Named)
        {
            text.Append($"; and {sorted.Count - Named} more");
        }

        text.Append(". ");
        foreach (var reason in sorted.Select(l => l.Reason).Distinct())
        {
            text.Append(reason switch
            {
                LostEpochsReason.StepNotReplayable => "The step is not declared replayable (stepIsReplayable), so the lost epochs were not run again. ",
                LostEpochsReason.BeforeRun => "Some went back to before the epoch they were at when the run began, which the run cannot rebuild. ",
                _ => "Some kept losing epochs while they were being replayed. ",
            });
        }

        return text.ToString().TrimEnd();
    }
}
