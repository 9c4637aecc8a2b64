using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Client.Bench;

/// <summary>The plain Orleans grain of <see cref="IBareSw1Grain"/>: an ArrayDict in a field, the workload's code, nothing else.</summary>
internal sealed class BareSw1Grain : Grain, IBareSw1Grain
{
    private ArrayDict _dict = new();

    /// <inheritdoc />
    public Task<int> FillAsync(Sw1Parameters parameters)
    {
        _dict = new ArrayDict(parameters.Width);
        Sw1.Fill(_dict, parameters);
        return Task.FromResult(_dict.Count);
    }

    /// <inheritdoc />
    public Task<Sw1StepResult> StepAsync(Sw1Parameters parameters, int iteration) =>
        Task.FromResult(Sw1.Step(_dict, parameters, this.GetPrimaryKeyLong(), iteration));
}
