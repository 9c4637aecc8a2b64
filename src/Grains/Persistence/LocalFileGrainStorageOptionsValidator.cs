namespace ArrayDictOrleans.Grains.Persistence;

/// <summary>
/// Checks the <see cref="LocalFileGrainStorageOptions"/> of one named provider when the silo starts.
/// </summary>
/// <param name="options">The options of the provider.</param>
/// <param name="name">The name of the provider.</param>
public sealed class LocalFileGrainStorageOptionsValidator(LocalFileGrainStorageOptions options, string name) : IConfigurationValidator
{
    /// <inheritdoc />
    /// <exception cref="OrleansConfigurationException">An option has a value the provider cannot work with; the message names the provider and the option.</exception>
    public void ValidateConfiguration()
    {
        if (string.IsNullOrWhiteSpace(options.RootDirectory))
        {
            throw Invalid(nameof(LocalFileGrainStorageOptions.RootDirectory), "is required: give the directory that holds the grain state files");
        }

        if (options.RootDirectory.AsSpan().IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            throw Invalid(nameof(LocalFileGrainStorageOptions.RootDirectory), $"'{options.RootDirectory}' contains characters that are not valid in a path");
        }

        if (options.LockTimeout <= TimeSpan.Zero || options.LockTimeout == Timeout.InfiniteTimeSpan)
        {
            throw Invalid(nameof(LocalFileGrainStorageOptions.LockTimeout), $"must be a positive, finite time span, not {options.LockTimeout}");
        }
    }

    private OrleansConfigurationException Invalid(string property, string problem) =>
        new($"Invalid configuration for {nameof(LocalFileGrainStorage)} with name '{name}': {nameof(LocalFileGrainStorageOptions)}.{property} {problem}.");
}
