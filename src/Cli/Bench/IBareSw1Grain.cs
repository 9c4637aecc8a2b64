using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Client.Bench;

/// <summary>
/// SW1 in a grain written the plain Orleans way, the yardstick of <c>arraydict bench</c>'s <c>orleans-bare</c> variant: no
/// change scope, no epochs, no delta, no persistence, called without the SDK.
/// </summary>
public interface IBareSw1Grain : IGrainWithIntegerKey
{
    /// <summary>Replaces the grain's ArrayDict with SW1's initial state; returns its row count.</summary>
    Task<int> FillAsync(Sw1Parameters parameters);

    /// <summary>Runs SW1's method for iteration <paramref name="iteration"/> on the grain's ArrayDict.</summary>
    Task<Sw1StepResult> StepAsync(Sw1Parameters parameters, int iteration);
}
