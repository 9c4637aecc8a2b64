using ArrayDictOrleans.Tests.Grains;

namespace ArrayDictOrleans.Tests.Journal;

/// <summary>
/// The grain tests' two-silo cluster with ArrayDicts stored as base + journal in local files (compacting after a few
/// records, so that runs cross compactions), behind the same fault-injecting wrapper.
/// </summary>
public sealed class JournalClusterFixture : ClusterFixture
{
    /// <inheritdoc />
    protected override void AddInnerStorage(ISiloBuilder silo, string name, string directory) =>
        silo.AddArrayDictLocalJournalGrainStorage(name, journal =>
        {
            journal.RootDirectory = directory;

            // Compact every few calls, so that runs cross compactions.
            journal.MaxRecords = 3;
        });
}

[CollectionDefinition(Name)]
public sealed class JournalClusterCollection : ICollectionFixture<JournalClusterFixture>
{
    public const string Name = "journal cluster";
}
