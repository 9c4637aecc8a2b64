namespace ArrayDictOrleans.Client;

/// <summary>What <see cref="ArrayDictClient.RunUntilDoneAsync{TResult}(IEnumerable{long}, Func{long, int, IArrayDictMethod{TResult}}, Func{TResult, bool}, long?, IProgress{IterationProgress}?, int, bool, TimeSpan?, CancellationToken)"/> returns.</summary>
/// <typeparam name="TResult">The step's result.</typeparam>
/// <param name="LastResults">Each id's last result (the one that said done).</param>
/// <param name="Iterations">Iterations run.</param>
/// <param name="Calls">Calls made (one per considered id per iteration), replays and retries not counted.</param>
/// <param name="Retries">Calls retried after a transient failure.</param>
/// <param name="Replays">Calls of lost epochs run again (a replayable step only): 0 unless an ArrayDict lost calls that had returned.</param>
public sealed record IterationRunResult<TResult>(IReadOnlyDictionary<long, TResult> LastResults, int Iterations, long Calls, long Retries, long Replays = 0);
