namespace ArrayDictOrleans.Workload;

/// <summary>What one SW1 call returns.</summary>
/// <param name="Sum">The sum of every value of every row after the call.</param>
/// <param name="Rows">The row count after the call.</param>
/// <param name="Done">Whether the object has had its last call.</param>
/// <param name="WorkResult">The outcome of the call's CPU work (<see cref="Sw1Work.Run"/>); 0 when the call did none. Never part of the rows.</param>
[GenerateSerializer, Immutable, Alias("arraydict.Sw1StepResult")]
public sealed record Sw1StepResult([property: Id(0)] double Sum, [property: Id(1)] int Rows, [property: Id(2)] bool Done, [property: Id(3)] ulong WorkResult = 0);
