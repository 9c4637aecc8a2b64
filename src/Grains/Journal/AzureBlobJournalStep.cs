namespace ArrayDictOrleans.Grains.Journal;

/// <summary>A step of a multi-request write of <see cref="AzureBlobJournalStore"/>, after which tests may simulate a crash.</summary>
internal enum AzureBlobJournalStep
{
    /// <summary>A new base blob is uploaded; the journal blob does not name it yet.</summary>
    BaseUploaded,

    /// <summary>The journal blob was replaced by an empty one naming the new base (the commit point); the old base is not deleted yet.</summary>
    JournalCommitted,

    /// <summary>One block of a record larger than an append block was appended; more blocks follow.</summary>
    RecordPartAppended,

    /// <summary>A clear deleted the journal blob (the commit point); the base it named is not deleted yet.</summary>
    JournalDeleted,
}
