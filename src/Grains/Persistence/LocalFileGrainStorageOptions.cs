using Orleans.Storage;

namespace ArrayDictOrleans.Grains.Persistence;

/// <summary>
/// Options of <see cref="LocalFileGrainStorage"/>, the grain storage provider that keeps one file per grain state on a local disk.
/// </summary>
public sealed class LocalFileGrainStorageOptions : IStorageProviderSerializerOptions
{
    /// <summary>The default of <see cref="RootDirectory"/>: <c>./data</c>, relative to the working directory of the process.</summary>
    public const string DefaultRootDirectory = "./data";

    /// <summary>
    /// Gets or sets the directory under which the provider keeps its files, one file per grain state at
    /// <c>&lt;RootDirectory&gt;/&lt;provider name&gt;/&lt;state name&gt;/&lt;grain type&gt;/&lt;grain key&gt;.snapshot</c>.
    /// Default: <see cref="DefaultRootDirectory"/>. Silos that share this directory (on one machine) see each other's writes
    /// and get a correct ETag check against each other.
    /// </summary>
    public string RootDirectory { get; set; } = DefaultRootDirectory;

    /// <summary>
    /// Gets or sets a value indicating whether a write is flushed to the disk (<c>fsync</c>) before it replaces the previous
    /// snapshot, and the directory after the replacement (and after a clear's delete), so that a machine crash right after
    /// a successful write or clear cannot undo it. Default: <see langword="true"/>.
    /// </summary>
    public bool FlushToDisk { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether clearing a grain state deletes its file (<see langword="true"/>) or replaces it
    /// by a small tombstone file that keeps an ETag (<see langword="false"/>). Default: <see langword="true"/>.
    /// </summary>
    public bool DeleteStateOnClear { get; set; } = true;

    /// <summary>
    /// Gets or sets how long a write or clear waits for the lock that makes its ETag check and file replacement atomic
    /// before it fails with a <see cref="LocalFileStorageException"/>. Default: 30 seconds.
    /// </summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets the stage of the silo lifecycle at which the provider creates its directory. Default:
    /// <see cref="ServiceLifecycleStage.ApplicationServices"/>.
    /// </summary>
    public int InitStage { get; set; } = ServiceLifecycleStage.ApplicationServices;

    /// <summary>
    /// Gets or sets the serializer of the grain states. When it is left <see langword="null"/>, the provider takes the
    /// <see cref="IGrainStorageSerializer"/> registered in the service container under the provider's name, else the default one.
    /// A serializer that also implements <see cref="IGrainStorageStreamingSerializer"/> writes into and reads from the file
    /// stream directly, with no second in-memory copy of the serialized state.
    /// </summary>
    public IGrainStorageSerializer GrainStorageSerializer { get; set; } = null!;
}
