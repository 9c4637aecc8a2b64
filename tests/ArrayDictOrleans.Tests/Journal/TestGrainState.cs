using System.Diagnostics.CodeAnalysis;
using ArrayDictOrleans.Grains;

namespace ArrayDictOrleans.Tests.Journal;

/// <summary>A grain state holder whose state is never null, for the journal tests.</summary>
internal sealed class TestGrainState : IGrainState<ArrayDictState>
{
    private ArrayDictState _state = new(trackChanges: true);

    [AllowNull]
    public ArrayDictState State
    {
        get => _state;
        set => _state = value ?? new(trackChanges: true);
    }

    public string? ETag { get; set; }

    public bool RecordExists { get; set; }
}
