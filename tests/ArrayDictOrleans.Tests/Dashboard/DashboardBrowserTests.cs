using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using ArrayDictOrleans.Client;
using ArrayDictOrleans.Tests.Hosting;
using ArrayDictOrleans.Tests.Workload;
using ArrayDictOrleans.Workload;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace ArrayDictOrleans.Tests.Dashboard;

/// <summary>
/// The Orleans dashboard of a silo, opened in headless Chromium (Debian's package, driven by Playwright) while SW1
/// runs: the page must show the ArrayDict grain type with its activations.
/// </summary>
public sealed class DashboardBrowserTests(ITestOutputHelper output)
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private const string GrainClassName = "ArrayDictGrain";

    private static readonly string[] ChromiumArguments =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    /// <summary>The longest a page, a launch or an expected text is waited for.</summary>
    private static readonly TimeSpan PageTimeout = TimeSpan.FromSeconds(45);

    private static readonly Sw1Parameters Parameters = new(Objects: 16, Rows: 500, Updates: 50, Appends: 5, Budget: 6, Width: 2);

    /// <summary>Where the screenshot goes: beside the test assembly, <c>screenshots/dashboard.png</c>.</summary>
    public static string ScreenshotPath { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots", "dashboard.png");

    private static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    [Fact]
    public async Task Dashboard_WhileSw1Runs_ShowsArrayDictGrainWithActivations()
    {
        var expected = PlainSw1Loop.Run(Parameters);
        using var timeout = new CancellationTokenSource(TestSilo.StartTimeout + (4 * PageTimeout));
        await using var silo = await DashboardSilo.StartAsync(timeout.Token);
        using var client = await TestSilo.StartClientAsync(silo.ClusterId, silo.GatewayPort, timeout.Token);
        Task<(long TotalRows, double Checksum)>? sw1 = null;
        Task<(long TotalRows, double Checksum)> StartSw1() => sw1 = RunSw1Async(client.Sdk(), timeout.Token);

        if (File.Exists(ChromiumPath))
        {
            await CheckInBrowserAsync(silo.Url, StartSw1);
        }
        else
        {
            Assert.False(InCi, $"{ChromiumPath} is missing: CI must install Debian's chromium package (.ci/run) so that the dashboard is checked in a browser.");
            output.WriteLine($"{ChromiumPath} is missing: checking the dashboard's JSON API instead of the page (install Debian's chromium to see the page).");
            _ = StartSw1();
            await CheckThroughApiAsync(silo.Url, timeout.Token);
        }

        var (totalRows, checksum) = await sw1!;
        Assert.Equal(expected.TotalRows, totalRows);
        Assert.Equal(expected.Checksum, checksum, Math.Abs(expected.Checksum) * 1e-9);
        await client.StopAsync(timeout.Token);
    }

    /// <summary>Opens the dashboard's grain page, starts SW1, and waits for the page to show the grain type with all its activations.</summary>
    private async Task CheckInBrowserAsync(Uri dashboard, Func<Task> startSw1)
    {
        var userDataDirectory = Directory.CreateTempSubdirectory("arraydict-chromium-");
        try
        {
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchPersistentContextAsync(userDataDirectory.FullName, new()
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Args = ChromiumArguments,
                Timeout = (float)PageTimeout.TotalMilliseconds,
                ViewportSize = new() { Width = 1280, Height = 900 },
            });
            var page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
            page.SetDefaultTimeout((float)PageTimeout.TotalMilliseconds);
            try
            {
                await page.GotoAsync(new Uri(dashboard, "#/grains").ToString());
                await Expect(page.GetByText("Activations by Type")).ToBeVisibleAsync();
                _ = startSw1();

                // The grain table: one row per grain type, its class name as a link, the activations in the third cell.
                var row = page.Locator("tr").Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = GrainClassName, Exact = true }) });
                var activations = row.Locator("td").Nth(2);
                await Expect(activations).ToHaveTextAsync(Parameters.Objects.ToString(CultureInfo.InvariantCulture));
                Assert.True(int.Parse(await activations.InnerTextAsync(), CultureInfo.InvariantCulture) > 0);
            }
            finally
            {
                Directory.CreateDirectory(Path.GetDirectoryName(ScreenshotPath)!);
                await page.ScreenshotAsync(new() { Path = ScreenshotPath, FullPage = true });
                output.WriteLine($"Dashboard screenshot: {ScreenshotPath}");
            }
        }
        finally
        {
            userDataDirectory.Delete(recursive: true);
        }
    }

    /// <summary>Without a browser: the dashboard's own JSON API (what the page polls every second) must count the activations.</summary>
    private static async Task CheckThroughApiAsync(Uri dashboard, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = dashboard, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + PageTimeout;
        int seen = 0;
        while (DateTime.UtcNow < deadline)
        {
            using var counters = await http.GetFromJsonAsync<JsonDocument>("DashboardCounters", cancellationToken);
            seen = counters!.RootElement.GetProperty("simpleGrainStats").EnumerateArray()
                .Where(stat => stat.GetProperty("grainType").GetString()!.EndsWith("." + GrainClassName, StringComparison.Ordinal))
                .Sum(stat => stat.GetProperty("activationCount").GetInt32());
            if (seen == Parameters.Objects)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }

        Assert.Fail($"The dashboard's DashboardCounters did not count {Parameters.Objects} {GrainClassName} activations within {PageTimeout.TotalSeconds:0} s; the last count was {seen}.");
    }

    /// <summary>SW1 from a clear start: fill, then the iterate-until-done loop; returns what the last results add up to.</summary>
    private static async Task<(long TotalRows, double Checksum)> RunSw1Async(ArrayDictClient client, CancellationToken cancellationToken)
    {
        const long First = 1_000;
        var keys = Enumerable.Range(0, Parameters.Objects).Select(i => First + i).ToList();
        await Task.WhenAll(keys.Select(key => client.Get(key).ClearAsync(Parameters.Width)));
        await client.ApplyManyAsync(keys, _ => new Sw1FillMethod(Parameters), cancellationToken: cancellationToken);
        var run = await client.RunUntilDoneAsync(
            keys,
            (key, t) => new Sw1StepMethod(Parameters, key - First, t),
            result => result.Done,
            cancellationToken: cancellationToken);
        return (run.LastResults.Values.Sum(r => (long)r.Rows), run.LastResults.Values.Sum(r => r.Sum));
    }
}
