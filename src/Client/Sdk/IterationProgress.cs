namespace ArrayDictOrleans.Client;

/// <summary>Where a fan-out stands.</summary>
/// <param name="Iteration">The iteration (0 for a single fan-out).</param>
/// <param name="Completed">Calls of this iteration that returned.</param>
/// <param name="Considered">Calls this iteration makes.</param>
public readonly record struct IterationProgress(int Iteration, int Completed, int Considered);
