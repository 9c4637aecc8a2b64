namespace ArrayDictOrleans.Grains.Journal;

/// <summary>What <see cref="JournalWriteAheadLog.Recover"/> found and did.</summary>
/// <param name="Logs">Write-ahead logs replayed and deleted (left by silos that died).</param>
/// <param name="Replayed">Entries written back to the journal files.</param>
/// <param name="Skipped">Entries whose file no longer exists (dropped by a compaction or a clear since).</param>
internal readonly record struct JournalRecovery(int Logs, long Replayed, long Skipped);
