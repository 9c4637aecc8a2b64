using ArrayDictOrleans.Client.Bench;

namespace ArrayDictOrleans.Tests.Cli;

/// <summary>The bench's wait for a quiet JIT before each timed loop: it ends when the count stops moving, and is bounded when it never does.</summary>
public sealed class JitQuiescenceTests
{
    [Fact]
    public async Task WaitAsync_CountThatStopsMoving_ReportsQuiet()
    {
        long reads = 0;

        bool quiet = await JitQuiescence.WaitAsync(() => Math.Min(++reads, 5), TimeSpan.FromMilliseconds(60), TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.True(quiet);
        Assert.True(reads > 5, $"The count was read {reads} times: the wait ended before it stopped moving.");
    }

    [Fact]
    public async Task WaitAsync_CountThatKeepsMoving_GivesUpAtTheLimit()
    {
        long reads = 0;

        bool quiet = await JitQuiescence.WaitAsync(() => ++reads, TimeSpan.FromMilliseconds(60), TimeSpan.FromMilliseconds(300), CancellationToken.None);

        // However slowly the machine runs the delays: never quiet, and polled at least once after the first read.
        Assert.False(quiet);
        Assert.True(reads >= 2, $"The count was read {reads} times: the wait did not poll.");
    }

    [Fact]
    public async Task WaitAsync_Cancelled_Throws()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => JitQuiescence.WaitAsync(() => 1, TimeSpan.FromMilliseconds(60), TimeSpan.FromSeconds(30), cancelled.Token));
    }
}
