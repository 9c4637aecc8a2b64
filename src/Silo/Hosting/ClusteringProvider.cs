namespace ArrayDictOrleans.Silo.Hosting;

/// <summary>How silos find each other and clients find gateways.</summary>
public enum ClusteringProvider
{
    /// <summary>One machine: silos on loopback, the first one (<see cref="ArrayDictSiloOptions.PrimarySiloPort"/>) the primary. Needs nothing installed.</summary>
    Localhost,

    /// <summary>Azure Table membership (Azurite locally): any number of silos on any machines.</summary>
    AzureTable,
}
