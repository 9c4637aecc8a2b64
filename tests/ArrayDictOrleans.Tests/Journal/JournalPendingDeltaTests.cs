using ArrayDictOrleans.Grains;

namespace ArrayDictOrleans.Tests.Journal;

/// <summary>The delta the grain keeps between writes: merged in order, undone by a failed call, bounded.</summary>
public sealed class JournalPendingDeltaTests
{
    [Fact]
    public void PendingDelta_Merge_LastChangeOfAKeyWins()
    {
        var dict = new ArrayDict();
        dict[1] = 1;
        dict[2] = 2;
        var delta = new ArrayDictPendingDelta();
        Call(dict, delta, d =>
        {
            d[1] = 10;
            d.Remove(2);
            d[3] = 3;
        });
        Call(dict, delta, d =>
        {
            d[2] = 20;
            d.Remove(3);
        });

        var changed = new HashSet<long>();
        var removed = new HashSet<long>();
        delta.Merge(changed, removed);

        Assert.Equal([1, 2], changed.Order());
        Assert.Equal([3], removed);
    }

    [Fact]
    public void PendingDelta_TryGetSingle_OnlyWhenExactlyOneChangeWasRecorded()
    {
        var dict = new ArrayDict();
        dict[1] = 1;
        dict[2] = 2;
        var delta = new ArrayDictPendingDelta();
        Assert.False(delta.TryGetSingle(out _, out _));

        Call(dict, delta, d =>
        {
            d[1] = 10;
            d[1] = 11;
            d.Remove(2);
            d[3] = 3;
        });
        Assert.True(delta.TryGetSingle(out var changed, out var removed));
        Assert.Equal([1, 3], changed.Order());
        Assert.Equal([2], removed);

        Call(dict, delta, d => d[4] = 4);
        Assert.False(delta.TryGetSingle(out _, out _));

        delta.Reset();
        Call(dict, delta, d => d[5] = 5);
        delta.MarkEverything();
        Assert.False(delta.TryGetSingle(out _, out _));
    }

    [Fact]
    public void PendingDelta_RestoreTo_ForgetsTheFailedCallOnly()
    {
        var dict = new ArrayDict();
        var delta = new ArrayDictPendingDelta();
        Call(dict, delta, d => d[1] = 1);
        var mark = delta.GetMark();
        Call(dict, delta, d => d.Clear());
        Assert.True(delta.IsEverything);

        delta.RestoreTo(mark);

        Assert.False(delta.IsEverything);
        var changed = new HashSet<long>();
        delta.Merge(changed, []);
        Assert.Equal([1], changed);
    }

    [Fact]
    public void PendingDelta_ManyKeysWithoutWrite_CollapsesToEverythingAndStaysSoOnRestore()
    {
        var dict = new ArrayDict();
        var delta = new ArrayDictPendingDelta();
        Call(dict, delta, d => d[-1] = 1);
        var mark = delta.GetMark();
        Call(dict, delta, d =>
        {
            for (int i = 0; i <= ArrayDictPendingDelta.CollapseThreshold; i++)
            {
                d[i] = i;
            }
        });
        Assert.True(delta.IsEverything);

        delta.RestoreTo(mark);

        Assert.True(delta.IsEverything);
        delta.Reset();
        Assert.True(delta.IsEmpty);
    }

    private static void Call(ArrayDict dict, ArrayDictPendingDelta delta, Action<ArrayDict> change)
    {
        using var scope = dict.BeginChanges();
        change(dict);
        delta.Record(scope);
        scope.Commit();
    }
}
