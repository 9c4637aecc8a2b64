using System.Net;
using ArrayDictOrleans.Tests.Hosting;

namespace ArrayDictOrleans.Tests.Dashboard;

public sealed class DashboardTraceTests
{
    [Fact]
    public async Task Dashboard_DefaultSettings_LiveTraceForbiddenCountersServed()
    {
        using var timeout = new CancellationTokenSource(TestSilo.StartTimeout);
        await using var silo = await DashboardSilo.StartAsync(timeout.Token);
        using var http = new HttpClient { BaseAddress = silo.Url, Timeout = TimeSpan.FromSeconds(10) };

        using var trace = await http.GetAsync("Trace", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var counters = await http.GetAsync("DashboardCounters", timeout.Token);

        Assert.Equal(HttpStatusCode.Forbidden, trace.StatusCode);
        Assert.Equal(HttpStatusCode.OK, counters.StatusCode);
    }
}
