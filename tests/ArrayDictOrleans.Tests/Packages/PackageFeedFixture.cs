using System.Diagnostics;
using System.Globalization;

namespace ArrayDictOrleans.Tests.Packages;

/// <summary>
/// The project's packages, packed once for the tests that use them (from the build the tests run on, with a version of
/// their own so that NuGet's cache of an earlier run is never used), in a folder feed under a temporary directory
/// outside the solution. Restores use that feed and the machine's NuGet cache as a second folder feed: no network.
/// </summary>
public sealed partial class PackageFeedFixture : IAsyncLifetime
{
    /// <summary>The packages' ids, as the library projects that pack them.</summary>
    public static readonly string[] Projects = ["Interfaces", "Client", "Grains", "Silo"];

    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(5);

    public PackageFeedFixture()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        TargetFramework = output.Name;
        Configuration = output.Parent!.Name;
        RepositoryRoot = output.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        Root = Path.Combine(Path.GetTempPath(), "arraydict-packages-" + Guid.NewGuid().ToString("N"));
        Feed = Path.Combine(Root, "feed");
        Version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "." + Random.Shared.Next(1000, 9999).ToString(CultureInfo.InvariantCulture);
        GlobalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
    }

    public string RepositoryRoot { get; }

    public string Configuration { get; }

    public string TargetFramework { get; }

    /// <summary>The temporary directory of the feed and the workspaces; outside the solution.</summary>
    public string Root { get; }

    public string Feed { get; }

    /// <summary>The version of this run's packages.</summary>
    public string Version { get; }

    /// <summary>NuGet's cache of extracted packages, used as a folder feed.</summary>
    public string GlobalPackages { get; }

    /// <summary>The Orleans version the project builds on (Directory.Packages.props), for the apps' own reference to the Orleans SDK.</summary>
    public string OrleansVersion =>
        OrleansVersionProperty().Match(File.ReadAllText(Path.Combine(RepositoryRoot, "Directory.Packages.props"))).Groups[1].Value;

    /// <summary>How long packing took.</summary>
    public TimeSpan PackTime { get; private set; }

    /// <summary>The silo program the tests run as the stock silo.</summary>
    public string SiloProgram => Path.Combine(AppContext.BaseDirectory, "ArrayDictOrleans.Silo.dll");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Feed);
        var clock = Stopwatch.StartNew();
        var packs = Projects.Select(project => DotnetCommand.RunAsync(
            RepositoryRoot,
            PackTimeout,
            null,
            "pack",
            Path.Combine("src", project, $"ArrayDictOrleans.{project}.csproj"),
            "--no-build",
            "-c",
            Configuration,
            "-o",
            Feed,
            $"-p:PackageVersion={Version}",
            "--disable-build-servers"));
        var results = await Task.WhenAll(packs);
        for (int i = 0; i < results.Length; i++)
        {
            results[i].AssertSucceeded($"dotnet pack src/{Projects[i]}");
        }

        PackTime = clock.Elapsed;
    }

    /// <summary>A new directory under <see cref="Root"/> with a nuget.config that restores from the feed and the cache only.</summary>
    public string NewWorkspace(string name)
    {
        string workspace = Path.Combine(Root, name);
        Directory.CreateDirectory(workspace);
        File.WriteAllText(Path.Combine(workspace, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="arraydict" value="{Feed}" />
                <add key="machine-cache" value="{GlobalPackages}" />
              </packageSources>
            </configuration>
            """);
        return workspace;
    }

    public Task DisposeAsync()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }

        // This run's packages were extracted into the machine's cache by the restores: remove them (and only them).
        foreach (string project in Projects)
        {
            string extracted = Path.Combine(GlobalPackages, $"arraydictorleans.{project.ToLowerInvariant()}", Version.ToLowerInvariant());
            if (Directory.Exists(extracted))
            {
                Directory.Delete(extracted, recursive: true);
            }

            string package = Path.GetDirectoryName(extracted)!;
            if (Directory.Exists(package) && !Directory.EnumerateFileSystemEntries(package).Any())
            {
                Directory.Delete(package);
            }
        }

        return Task.CompletedTask;
    }

    [System.Text.RegularExpressions.GeneratedRegex("<OrleansVersion>([^<]+)</OrleansVersion>")]
    private static partial System.Text.RegularExpressions.Regex OrleansVersionProperty();
}

[CollectionDefinition(Name)]
public sealed class PackagesCollection : ICollectionFixture<PackageFeedFixture>
{
    public const string Name = "packages";
}
