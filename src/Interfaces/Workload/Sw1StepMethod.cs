namespace ArrayDictOrleans.Workload;

/// <summary>SW1's <c>MyMethod(dict i, t)</c> as a grain method: updates, appends, and the full sum.</summary>
/// <param name="Parameters">The workload's parameters.</param>
/// <param name="ObjectId">The ArrayDict's id, <c>i</c>.</param>
/// <param name="Iteration">The iteration, <c>t</c>.</param>
[GenerateSerializer, Immutable, Alias("arraydict.Sw1StepMethod")]
public sealed record Sw1StepMethod([property: Id(0)] Sw1Parameters Parameters, [property: Id(1)] long ObjectId, [property: Id(2)] int Iteration)
    : IArrayDictMethod<Sw1StepResult>, IBoundedArrayDictMethod
{
    /// <inheritdoc />
    public void CheckLimits(ArrayDict dict, ArrayDictLimits limits)
    {
        ArgumentNullException.ThrowIfNull(dict);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(Parameters);
        Parameters.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(Iteration);
        limits.CheckCall(Parameters.Updates, dict.Width, "An SW1 step's updates");
        limits.CheckCall(Parameters.Appends, dict.Width, "An SW1 step's appends");
        limits.CheckSize((long)dict.Count + Parameters.Appends, dict.Width, "An SW1 step");
    }

    /// <inheritdoc />
    public Sw1StepResult Invoke(ArrayDict dict) => Sw1.Step(dict, Parameters, ObjectId, Iteration);
}
