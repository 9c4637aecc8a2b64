namespace ArrayDictOrleans.Client;

public sealed partial class ArrayDictClient
{
    /// <summary>
    /// Where each ArrayDict of a <see cref="RunUntilDoneAsync{TResult}(IEnumerable{long}, Func{long, int, IArrayDictMethod{TResult}}, Func{TResult, bool}, long?, IProgress{IterationProgress}?, int, bool, TimeSpan?, CancellationToken)"/> stands, by position: the epoch it was at when the
    /// run began, the epoch of its iteration 0, and the last epoch the run saw applied there (sent with every call, so that
    /// an ArrayDict that lost returned calls says so).
    /// </summary>
    private sealed class EpochLedger(long?[] start, long[] first, bool replayable)
    {
        /// <summary>The epoch each ArrayDict was at when the run began (null: none), a durable state when the step is replayable.</summary>
        public long?[] Start { get; } = start;

        /// <summary>The epoch of each ArrayDict's iteration 0.</summary>
        public long[] First { get; } = first;

        /// <summary>The last epoch the run saw applied on each ArrayDict.</summary>
        public long?[] Applied { get; } = (long?[])start.Clone();

        /// <summary>Whether the step is a pure function of (id, iteration), so that lost epochs may be run again.</summary>
        public bool Replayable { get; } = replayable;

        /// <summary>Whether an ArrayDict back at <paramref name="epoch"/> is at a state the run can rebuild: where it began, or one of the run's epochs.</summary>
        public bool CanReplayFrom(int position, long? epoch) => epoch == Start[position] || epoch >= First[position];
    }
}
