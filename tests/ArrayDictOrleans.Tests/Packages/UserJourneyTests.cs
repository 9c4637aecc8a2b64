using System.Diagnostics;
using System.Globalization;
using ArrayDictOrleans.Tests.Hosting;
using Xunit.Abstractions;

namespace ArrayDictOrleans.Tests.Packages;

/// <summary>
/// What a user does, outside the solution and with the packed packages only: a class library of their own method, an
/// app that calls it through the SDK, and the stock silo program pointed at the library.
/// </summary>
[Collection(PackagesCollection.Name)]
public sealed class UserJourneyTests(PackageFeedFixture packages, ITestOutputHelper output)
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task UserJourney_MethodLibraryAppAndStockSilo_RunsTheMethodOnEveryArrayDict()
    {
        var clock = Stopwatch.StartNew();
        string workspace = packages.NewWorkspace("journey");
        string library = Path.Combine(workspace, "MyMethods");
        string app = Path.Combine(workspace, "MyApp");
        Directory.CreateDirectory(library);
        Directory.CreateDirectory(app);
        await File.WriteAllTextAsync(Path.Combine(library, "MyMethods.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>{packages.TargetFramework}</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ArrayDictOrleans.Interfaces" Version="{packages.Version}" />
                <PackageReference Include="Microsoft.Orleans.Sdk" Version="{packages.OrleansVersion}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(library, "Accumulate.cs"), """
            using ArrayDictOrleans;

            namespace MyMethods;

            /// <summary>Adds key 100 + T with value T * Id, then reports the rows and their sum; done after Id mod 3 + 1 steps.</summary>
            [GenerateSerializer, Immutable, Alias("mymethods.Accumulate")]
            public sealed record Accumulate([property: Id(0)] long Id, [property: Id(1)] int T) : IArrayDictMethod<Progress>
            {
                public Progress Invoke(ArrayDict dict)
                {
                    dict[100 + T] = T * (double)Id;
                    double sum = 0;
                    foreach (double value in dict.Values)
                    {
                        sum += value;
                    }

                    return new Progress(dict.Count, sum, Done: T + 1 >= Id % 3 + 1);
                }
            }

            [GenerateSerializer, Immutable, Alias("mymethods.Progress")]
            public sealed record Progress([property: Id(0)] int Rows, [property: Id(1)] double Sum, [property: Id(2)] bool Done);
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "MyApp.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>{packages.TargetFramework}</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ArrayDictOrleans.Client" Version="{packages.Version}" />
                <ProjectReference Include="../MyMethods/MyMethods.csproj" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
            using ArrayDictOrleans.Client;
            using Microsoft.Extensions.DependencyInjection;
            using Microsoft.Extensions.Hosting;
            using MyMethods;

            var builder = Host.CreateApplicationBuilder(args);
            builder.AddArrayDictClient();
            using var host = builder.Build();
            await host.StartAsync();
            var client = host.Services.GetRequiredService<ArrayDictClient>();
            long[] ids = [.. Enumerable.Range(0, 12).Select(i => 1000L + i)];
            foreach (long id in ids)
            {
                await client.ClearAsync(id);
            }

            var run = await client.RunUntilDoneAsync(ids, (id, t) => new Accumulate(id, t), progress => progress.Done, stepIsReplayable: true);
            Console.WriteLine($"iterations {run.Iterations} calls {run.Calls} rows {run.LastResults.Values.Sum(p => p.Rows)} sum {run.LastResults.Values.Sum(p => p.Sum)}");
            await host.StopAsync();
            """);

        var build = await DotnetCommand.RunAsync(workspace, BuildTimeout, null, "build", Path.Combine("MyApp", "MyApp.csproj"), "-c", "Release", "--disable-build-servers");
        build.AssertSucceeded("Building the method library and the app from the packages");
        var built = clock.Elapsed;

        string clusterId = "journey-" + Guid.NewGuid().ToString("N");
        var ports = FreePorts.Take(2);
        string methods = Path.Combine(library, "bin", "Release", packages.TargetFramework, "MyMethods.dll");
        await using var silo = SiloProgramProcess.Start([.. TestSilo.ProgramArguments(clusterId, ports[0], ports[1]), "--method-assembly", methods]);
        await silo.WaitForOutputAsync(TestSilo.StartTimeout, "the stock silo to start with the method library", "Application started");
        var run = await DotnetCommand.RunAsync(
            workspace,
            RunTimeout,
            new Dictionary<string, string>
            {
                ["ArrayDict__ClusterId"] = clusterId,
                ["ArrayDict__Gateways__0"] = $"127.0.0.1:{ports[1]}",
            },
            Path.Combine(app, "bin", "Release", packages.TargetFramework, "MyApp.dll"));

        run.AssertSucceeded("The app against the stock silo");
        // ArrayDict id takes id mod 3 + 1 steps, each adding one row; step t adds t * id.
        var steps = Enumerable.Range(1000, 12).Select(id => (Id: (long)id, Steps: (id % 3) + 1)).ToList();
        long rows = steps.Sum(s => s.Steps);
        double sum = steps.Sum(s => Enumerable.Range(0, s.Steps).Sum(t => t * (double)s.Id));
        string expected = string.Create(CultureInfo.InvariantCulture, $"iterations 3 calls {rows} rows {rows} sum {sum}");
        string? printed = run.Output.Split('\n').FirstOrDefault(line => line.StartsWith("iterations ", StringComparison.Ordinal));
        Assert.Equal(expected, printed?.TrimEnd());
        output.WriteLine($"pack {packages.PackTime.TotalSeconds:F1} s (once per run), build {built.TotalSeconds:F1} s, whole test {clock.Elapsed.TotalSeconds:F1} s");
    }
}
