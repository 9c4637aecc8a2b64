using System.Globalization;

namespace ArrayDictOrleans.Client;

/// <summary>Epochs that an ArrayDict lost after their calls had returned, and that the loop did not replay.</summary>
/// <param name="ArrayDictId">The ArrayDict.</param>
/// <param name="LastAppliedEpoch">The epoch the ArrayDict came back at, or null for none.</param>
/// <param name="LastReturnedEpoch">The last epoch whose call had returned to the loop: the epochs after <paramref name="LastAppliedEpoch"/> up to this one are lost.</param>
/// <param name="Reason">Why they were not replayed.</param>
public sealed record LostEpochs(long ArrayDictId, long? LastAppliedEpoch, long LastReturnedEpoch, LostEpochsReason Reason)
{
    /// <summary>Says which ArrayDict lost which epochs, in a few words.</summary>
    public override string ToString() => LastAppliedEpoch switch
    {
        { } at when at + 1 == LastReturnedEpoch => string.Create(CultureInfo.InvariantCulture, $"ArrayDict {ArrayDictId} is back at epoch {at} after epoch {LastReturnedEpoch} had returned (epoch {LastReturnedEpoch} lost)"),
        { } at => string.Create(CultureInfo.InvariantCulture, $"ArrayDict {ArrayDictId} is back at epoch {at} after epoch {LastReturnedEpoch} had returned (epochs {at + 1} to {LastReturnedEpoch} lost)"),
        null => string.Create(CultureInfo.InvariantCulture, $"ArrayDict {ArrayDictId} is back at no epoch after epoch {LastReturnedEpoch} had returned (every epoch up to {LastReturnedEpoch} lost)"),
    };
}
