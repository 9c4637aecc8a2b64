using System.Globalization;
using System.Text.RegularExpressions;
using ArrayDictOrleans.Tests.Hosting;

namespace ArrayDictOrleans.Tests.Packages;

/// <summary>The README's C# snippet, taken from README.md as it stands, built against the packages and run as shown.</summary>
[Collection(PackagesCollection.Name)]
public sealed partial class ReadmeSnippetTests(PackageFeedFixture packages)
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);


    [Fact]
    public async Task Readme_CSharpSnippet_BuildsAndRunsAsShown()
    {
        string readme = await File.ReadAllTextAsync(Path.Combine(packages.RepositoryRoot, "README.md"));
        int section = readme.IndexOf("## Using it from C#", StringComparison.Ordinal);
        Assert.True(section >= 0, "README.md has no 'Using it from C#' section.");
        var snippet = CSharpBlock().Match(readme, section);
        Assert.True(snippet.Success, "The 'Using it from C#' section has no ```csharp block.");
        string workspace = packages.NewWorkspace("readme");
        await File.WriteAllTextAsync(Path.Combine(workspace, "Program.cs"), snippet.Groups["code"].Value);
        await File.WriteAllTextAsync(Path.Combine(workspace, "ReadmeApp.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>{packages.TargetFramework}</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ArrayDictOrleans.Silo" Version="{packages.Version}" />
                <PackageReference Include="Microsoft.Orleans.Sdk" Version="{packages.OrleansVersion}" />
              </ItemGroup>
            </Project>
            """);

        var build = await DotnetCommand.RunAsync(workspace, BuildTimeout, null, "build", "-c", "Release", "--disable-build-servers");
        build.AssertSucceeded("Building the README's snippet");
        var ports = FreePorts.Take(2);
        var run = await DotnetCommand.RunAsync(
            workspace,
            RunTimeout,
            new Dictionary<string, string>
            {
                ["ArrayDict__ClusterId"] = "readme-" + Guid.NewGuid().ToString("N"),
                ["ArrayDict__SiloPort"] = ports[0].ToString(CultureInfo.InvariantCulture),
                ["ArrayDict__PrimarySiloPort"] = ports[0].ToString(CultureInfo.InvariantCulture),
                ["ArrayDict__GatewayPort"] = ports[1].ToString(CultureInfo.InvariantCulture),
            },
            Path.Combine("bin", "Release", packages.TargetFramework, "ReadmeApp.dll"));

        run.AssertSucceeded("Running the README's snippet");
        Assert.Contains("3 iterations, 300 calls, 400 rows", run.Output);
        Assert.Contains("It prints `3 iterations, 300 calls, 400 rows`", readme);
    }

    [GeneratedRegex("```csharp\\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
