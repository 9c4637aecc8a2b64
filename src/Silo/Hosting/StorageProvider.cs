namespace ArrayDictOrleans.Silo.Hosting;

/// <summary>Where ArrayDict snapshots are kept.</summary>
public enum StorageProvider
{
    /// <summary>One file per ArrayDict under <see cref="ArrayDictSiloOptions.DataDirectory"/>. Needs nothing installed.</summary>
    Local,

    /// <summary>One block blob per ArrayDict in <see cref="ArrayDictSiloOptions.BlobContainerName"/> (Azurite locally).</summary>
    AzureBlob,

    /// <summary>In memory: gone when the cluster stops. For tests and throw-away runs.</summary>
    Memory,
}
