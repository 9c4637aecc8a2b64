namespace ArrayDictOrleans;

/// <summary>What a snapshot holds: the ArrayDict and the opaque metadata written with it.</summary>
/// <param name="Dict">The ArrayDict, checked against the snapshot's checksum.</param>
/// <param name="Metadata">The metadata bytes (empty when none were written).</param>
public sealed record SnapshotContents(ArrayDict Dict, byte[] Metadata);
