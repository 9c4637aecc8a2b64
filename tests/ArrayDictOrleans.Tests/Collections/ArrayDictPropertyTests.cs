using CsCheck;

namespace ArrayDictOrleans.Tests.Collections;

/// <summary>Random operation sequences on ArrayDict, checked against a Dictionary model and against a copy taken before a rolled-back scope.</summary>
public class ArrayDictPropertyTests
{
    private static readonly long[] SpecialKeys = [long.MinValue, long.MinValue + 1, -1, long.MaxValue - 1, long.MaxValue, 1L << 40, -(1L << 52)];

    /// <summary>Mostly a small key range, so that removes and re-adds collide, plus some extreme keys.</summary>
    private static readonly Gen<long> KeyGen = Gen.Frequency(
        (12, Gen.Long[0, 50]),
        (1, Gen.OneOfConst(SpecialKeys)));

    private static readonly Gen<Op> OpGen = Gen.Select(
        Gen.Frequency(
            (4, Gen.Const(OpKind.Add)),
            (5, Gen.Const(OpKind.Set)),
            (3, Gen.Const(OpKind.SetRow)),
            (2, Gen.Const(OpKind.WriteRow)),
            (4, Gen.Const(OpKind.Remove)),
            (1, Gen.Const(OpKind.Compact)),
            (1, Gen.Const(OpKind.TrimExcess)),
            (1, Gen.Const(OpKind.EnsureCapacity))),
        KeyGen,
        Gen.Double[-1e6, 1e6],
        Gen.Int[0, 200],
        (kind, key, value, extra) => new Op(kind, key, value, extra));

    private static readonly Gen<Op> OpOrClearGen = Gen.Frequency(
        (60, OpGen),
        (1, Gen.Const(new Op(OpKind.Clear, 0, 0, 0))));

    public enum OpKind
    {
        Add,
        Set,
        SetRow,
        WriteRow,
        Remove,
        Compact,
        TrimExcess,
        EnsureCapacity,
        Clear,
    }

    [Fact]
    public void ArrayDict_RandomOperations_AfterEveryStep_MatchDictionaryModel()
    {
        Gen.Select(Gen.OneOfConst(1, 3), OpOrClearGen.Array[0, 300])
            .Sample(
                (width, ops) =>
                {
                    var dict = new ArrayDict(width);
                    var model = new Dictionary<long, double[]>();
                    foreach (var op in ops)
                    {
                        Apply(dict, model, op);
                        Check(model, dict);
                    }
                },
                iter: 400);
    }

    [Fact]
    public void ArrayDict_RandomOperations_WithInitialCapacity_MatchDictionaryModel()
    {
        Gen.Select(Gen.OneOfConst(1, 3), Gen.Int[0, 64], OpOrClearGen.Array[0, 200])
            .Sample(
                (width, capacity, ops) =>
                {
                    var dict = new ArrayDict(width, capacity);
                    var model = new Dictionary<long, double[]>();
                    foreach (var op in ops)
                    {
                        Apply(dict, model, op);
                    }

                    Check(model, dict);
                },
                iter: 400);
    }

    [Fact]
    public void ArrayDictChangeScope_RandomOperationsRolledBack_RestoreTheCopyTakenBefore()
    {
        Gen.Select(Gen.OneOfConst(1, 3), OpOrClearGen.Array[0, 120], OpOrClearGen.Array[0, 120], Gen.Bool)
            .Sample(
                (width, setup, inScope, dispose) =>
                {
                    var dict = new ArrayDict(width);
                    var model = new Dictionary<long, double[]>();
                    foreach (var op in setup)
                    {
                        Apply(dict, model, op);
                    }

                    var before = dict.Clone();
                    var scope = dict.BeginChanges();
                    var scratchModel = Copy(model);
                    foreach (var op in inScope)
                    {
                        Apply(dict, scratchModel, op);
                    }

                    Check(scratchModel, dict);
                    if (dispose)
                    {
                        scope.Dispose();
                    }
                    else
                    {
                        scope.Rollback();
                    }

                    ArrayDictAssert.SameState(before, dict);
                    Check(model, dict);

                    // The free rows come back in the same order: later inserts land in the same rows.
                    var row = new double[width];
                    for (long key = 1000; key < 1000 + before.FreeRowCount + 2; key++)
                    {
                        row.AsSpan().Fill(key);
                        dict.Add(key, row);
                        before.Add(key, row);
                        Assert.Equal(before.IndexOf(key), dict.IndexOf(key));
                    }

                    Assert.True(before.ContentEquals(dict));
                },
                iter: 400);
    }

    [Fact]
    public void ArrayDictChangeScope_RandomOperationsCommitted_KeepTheChanges()
    {
        Gen.Select(Gen.OneOfConst(1, 3), OpGen.Array[0, 80], OpOrClearGen.Array[0, 80])
            .Sample(
                (width, setup, inScope) =>
                {
                    var dict = new ArrayDict(width);
                    var model = new Dictionary<long, double[]>();
                    foreach (var op in setup)
                    {
                        Apply(dict, model, op);
                    }

                    var before = Copy(model);
                    using var scope = dict.BeginChanges();
                    foreach (var op in inScope)
                    {
                        Apply(dict, model, op);
                    }

                    CheckRecordedKeys(scope, before, model);
                    scope.Commit();
                    Check(model, dict);
                },
                iter: 400);
    }

    [Fact]
    public void ArrayDictChangeScope_SuccessiveScopesCommittedOrRolledBack_MatchTheModel()
    {
        // The scopes of one ArrayDict reuse one record: each must start clean whatever the last one did.
        Gen.Select(Gen.OneOfConst(1, 3), Gen.Select(OpOrClearGen.Array[0, 60], Gen.Bool).Array[1, 8])
            .Sample(
                (width, scopes) =>
                {
                    var dict = new ArrayDict(width);
                    var model = new Dictionary<long, double[]>();
                    foreach (var (ops, commit) in scopes)
                    {
                        var before = dict.Clone();
                        var changed = Copy(model);
                        var scope = dict.BeginChanges();
                        foreach (var op in ops)
                        {
                            Apply(dict, changed, op);
                        }

                        CheckRecordedKeys(scope, model, changed);
                        if (commit)
                        {
                            scope.Commit();
                            model = changed;
                        }
                        else
                        {
                            scope.Rollback();
                            ArrayDictAssert.SameState(before, dict);
                        }

                        Check(model, dict);
                    }
                },
                iter: 300);
    }

    /// <summary>Unless every row was touched, every key whose values differ from <paramref name="before"/> is listed as changed or removed, each in the right list.</summary>
    private static void CheckRecordedKeys(ArrayDictChangeScope scope, Dictionary<long, double[]> before, Dictionary<long, double[]> model)
    {
        if (scope.TouchedEveryRow)
        {
            return;
        }

        var changedList = scope.ChangedKeys;
        var removedList = scope.RemovedKeys;
        var changed = changedList.ToHashSet();
        var removed = removedList.ToHashSet();
        Assert.Equal(changedList.Count, changed.Count);
        Assert.Equal(removedList.Count, removed.Count);
        Assert.Empty(changed.Intersect(removed));
        foreach (var (key, values) in model)
        {
            if (!before.TryGetValue(key, out var old) || !old.SequenceEqual(values))
            {
                Assert.Contains(key, changed);
            }
        }

        foreach (long key in before.Keys.Where(k => !model.ContainsKey(k)))
        {
            Assert.Contains(key, removed);
        }

        Assert.All(changed, key => Assert.True(model.ContainsKey(key)));
        Assert.All(removed, key => Assert.False(model.ContainsKey(key)));
    }

    private static Dictionary<long, double[]> Copy(Dictionary<long, double[]> model) =>
        model.ToDictionary(kv => kv.Key, kv => (double[])kv.Value.Clone());

    private static void Apply(ArrayDict dict, Dictionary<long, double[]> model, Op op)
    {
        int width = dict.Width;
        var row = new double[width];
        for (int c = 0; c < width; c++)
        {
            row[c] = op.Value + c;
        }

        switch (op.Kind)
        {
            case OpKind.Add:
                if (model.ContainsKey(op.Key))
                {
                    Assert.Throws<ArgumentException>(() => dict.Add(op.Key, row));
                }
                else if (width == 1)
                {
                    dict.Add(op.Key, op.Value);
                    model[op.Key] = row;
                }
                else
                {
                    dict.Add(op.Key, row);
                    model[op.Key] = row;
                }

                break;
            case OpKind.Set:
                if (width == 1)
                {
                    dict[op.Key] = op.Value;
                    model[op.Key] = [op.Value];
                }
                else
                {
                    int column = op.Extra % width;
                    dict.GetOrAddRow(op.Key)[column] = op.Value;
                    if (!model.TryGetValue(op.Key, out var values))
                    {
                        model[op.Key] = values = new double[width];
                    }

                    values[column] = op.Value;
                }

                break;
            case OpKind.SetRow:
                dict.SetRow(op.Key, row);
                model[op.Key] = row;
                break;
            case OpKind.WriteRow:
                if (model.TryGetValue(op.Key, out var existing))
                {
                    var span = op.Extra % 2 == 0 ? dict.GetRow(op.Key) : dict.GetRowAt(dict.IndexOf(op.Key));
                    span[op.Extra % width] = -op.Value;
                    existing[op.Extra % width] = -op.Value;
                }
                else
                {
                    Assert.Throws<KeyNotFoundException>(() => dict.GetRow(op.Key));
                    var added = dict.AddRow(op.Key);
                    Assert.Equal(new double[width], added.ToArray());
                    added.Fill(op.Value);
                    model[op.Key] = Enumerable.Repeat(op.Value, width).ToArray();
                }

                break;
            case OpKind.Remove:
                Assert.Equal(model.Remove(op.Key), dict.Remove(op.Key));
                break;
            case OpKind.Compact:
                dict.Compact();
                Assert.Equal(dict.Count, dict.RowLimit);
                Assert.Equal(0, dict.FreeRowCount);
                break;
            case OpKind.TrimExcess:
                dict.TrimExcess();
                Assert.Equal(dict.Count, dict.Capacity);
                break;
            case OpKind.EnsureCapacity:
                int capacity = dict.EnsureCapacity(op.Extra);
                Assert.True(capacity >= op.Extra);
                Assert.Equal(capacity, dict.Capacity);
                break;
            case OpKind.Clear:
                dict.Clear();
                model.Clear();
                break;
        }
    }

    private static void Check(Dictionary<long, double[]> model, ArrayDict dict)
    {
        ArrayDictAssert.MatchesModel(model, dict);
        Assert.True(dict.Capacity >= dict.RowLimit);
        for (long key = -2; key <= 52; key++)
        {
            Assert.Equal(model.ContainsKey(key), dict.ContainsKey(key));
        }

        foreach (long key in SpecialKeys)
        {
            Assert.Equal(model.ContainsKey(key), dict.ContainsKey(key));
            Assert.Equal(model.ContainsKey(key), dict.TryGetRow(key, out _));
        }

        int freeRows = 0;
        for (int row = 0; row < dict.RowLimit; row++)
        {
            if (!dict.IsRowInUse(row))
            {
                freeRows++;
            }
        }

        Assert.Equal(dict.FreeRowCount, freeRows);
    }

    public readonly record struct Op(OpKind Kind, long Key, double Value, int Extra);
}
