namespace ArrayDictOrleans.Client;

/// <summary>Why <see cref="ArrayDictClient.RunUntilDoneAsync{TResult}(IEnumerable{long}, Func{long, int, IArrayDictMethod{TResult}}, Func{TResult, bool}, long?, IProgress{IterationProgress}?, int, bool, TimeSpan?, CancellationToken)"/> did not replay epochs an ArrayDict lost.</summary>
public enum LostEpochsReason
{
    /// <summary>The step was not declared replayable (a pure function of id and iteration), so running it again could give another result.</summary>
    StepNotReplayable,

    /// <summary>The ArrayDict went back to before the epoch it was at when the run began: the run cannot rebuild that state.</summary>
    BeforeRun,

    /// <summary>The ArrayDict lost epochs again and again while they were being replayed.</summary>
    StillLosing,
}
