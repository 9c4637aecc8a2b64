using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Client.Bench;

/// <summary>What <c>arraydict bench</c> runs.</summary>
/// <param name="Parameters">SW1's parameters, with the calibrated work.</param>
/// <param name="WorkMicroseconds">K, the <c>--work-us</c> flag.</param>
/// <param name="Variants">The variants, in order.</param>
/// <param name="Rounds">How many times each variant runs, timed.</param>
/// <param name="Storage">Where the persisted variants keep their state.</param>
/// <param name="WarmupRounds">How many untimed rounds of every variant come first.</param>
internal sealed record BenchPlan(Sw1Parameters Parameters, int WorkMicroseconds, string[] Variants, int Rounds, BenchStorage Storage, int WarmupRounds = 0);
