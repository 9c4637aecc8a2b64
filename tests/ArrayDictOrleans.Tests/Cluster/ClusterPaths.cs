namespace ArrayDictOrleans.Tests.Cluster;

/// <summary>Where the cluster tests find what they start.</summary>
internal static class ClusterPaths
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    /// <summary>The folder that holds ArrayDictOrleans.sln.</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>The silo program, copied beside the tests by the project reference; run with <c>dotnet</c>.</summary>
    public static string SiloDll => Path.Combine(AppContext.BaseDirectory, "ArrayDictOrleans.Silo.dll");


    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ArrayDictOrleans.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds ArrayDictOrleans.sln.");
    }
}
