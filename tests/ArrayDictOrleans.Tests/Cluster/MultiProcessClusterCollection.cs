namespace ArrayDictOrleans.Tests.Cluster;

/// <summary>
/// The multi-process cluster tests: each starts its own Azurite and silo processes, and their timing (5 s response
/// timeouts, probes of 1 s) should not compete for this machine's cores with each other or with other tests, so the
/// collection runs alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MultiProcessClusterCollection
{
    public const string Name = "multi-process cluster";
}
