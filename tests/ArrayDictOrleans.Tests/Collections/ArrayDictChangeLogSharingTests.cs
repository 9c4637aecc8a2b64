namespace ArrayDictOrleans.Tests.Collections;

/// <summary>
/// A change scope that ends on another thread than it began, as a grain call's does when it awaits its durable write: its
/// log goes to the pool the threads share when the ending thread keeps one already, and the beginning thread rents it
/// from there instead of making a new one.
/// </summary>
[Collection(ArrayDictChangeLogSharingCollection.Name)]
public sealed class ArrayDictChangeLogSharingTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public void ScopeEndedOnAThreadThatKeepsALog_TheBeginningThreadsNextScopeMakesNoNewLog()
    {
        var dict = new ArrayDict(1);
        for (long key = 0; key < 100; key++)
        {
            dict.AddRow(key)[0] = key;
        }

        using var begun = new ManualResetEventSlim();
        using var ended = new ManualResetEventSlim();
        ArrayDictChangeScope? spanning = null;
        int madeBySecondScope = -1;
        double restored = double.NaN;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var first = Catching(failures, () =>
        {
            spanning = dict.BeginChanges();
            dict.GetRow(1)[0] = -1;
            begun.Set();
            if (!ended.Wait(Wait))
            {
                return;
            }

            int before = ArrayDictChangeLog.CreatedOnThisThread;
            using (dict.BeginChanges())
            {
                dict.GetRow(2)[0] = -2;
            }

            madeBySecondScope = ArrayDictChangeLog.CreatedOnThisThread - before;
            restored = dict.GetRow(2)[0];
        });
        var second = Catching(failures, () =>
        {
            if (!begun.Wait(Wait))
            {
                return;
            }

            // This thread keeps a log of its own first (a scope on another ArrayDict), then ends the first thread's scope.
            var other = new ArrayDict(1);
            other.AddRow(0)[0] = 0;
            using (other.BeginChanges())
            {
            }

            spanning!.Commit();
            spanning.Dispose();
            ended.Set();
        });

        first.Start();
        second.Start();
        Assert.True(second.Join(Wait) && first.Join(Wait), "a thread did not finish");
        Assert.Empty(failures);

        Assert.True(ended.IsSet, "the second thread did not end the first thread's scope");
        Assert.Equal(0, madeBySecondScope);
        Assert.Equal(-1, dict.GetRow(1)[0]);
        Assert.Equal(2, restored);
    }

    /// <summary>A thread that keeps what it throws for the test to report, instead of ending the test process.</summary>
    private static Thread Catching(System.Collections.Concurrent.ConcurrentQueue<Exception> failures, Action body) => new(() =>
    {
        try
        {
            body();
        }
        catch (Exception exception)
        {
            failures.Enqueue(exception);
        }
    });
}

/// <summary>Runs the sharing test alone: the pool of logs is the process's.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ArrayDictChangeLogSharingCollection
{
    public const string Name = "ArrayDict change log sharing";
}
