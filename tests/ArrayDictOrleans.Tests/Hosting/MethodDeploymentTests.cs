using System.Diagnostics;
using ArrayDictOrleans.Client;
using ArrayDictOrleans.Tests.Grains;
using Microsoft.Extensions.DependencyInjection;

namespace ArrayDictOrleans.Tests.Hosting;

/// <summary>
/// Methods on the stock silo program. A method whose type it does not have (this test assembly's <see cref="IncrementMethod"/>): the
/// call fails within seconds with an error that names the type and how to deploy it, instead of hanging until the
/// response timeout.
/// </summary>
public sealed class MethodDeploymentTests
{
    private static readonly TimeSpan CallBound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ArrayDictClient_ApplyMethodUnknownToSilo_FailsFastNamingTypeAndDeployment()
    {
        string clusterId = "unknown-method-" + Guid.NewGuid().ToString("N");
        var ports = FreePorts.Take(2);
        await using var silo = SiloProgramProcess.Start(TestSilo.ProgramArguments(clusterId, ports[0], ports[1]));
        await silo.WaitForOutputAsync(TestSilo.StartTimeout, "the silo to start", "Application started");
        using var start = new CancellationTokenSource(TestSilo.StartTimeout);
        using var host = await TestSilo.StartClientAsync(clusterId, ports[1], start.Token);
        var client = host.Services.GetRequiredService<ArrayDictClient>();
        var clock = Stopwatch.StartNew();

        var direct = await Assert.ThrowsAsync<ArrayDictMethodNotDeployedException>(
            () => client.Get(41).ApplyAsync(new IncrementMethod(1, 2)).WaitAsync(CallBound));
        var loop = await Assert.ThrowsAsync<ArrayDictMethodNotDeployedException>(
            () => client.RunUntilDoneAsync([42, 43, 44, 45], (_, _) => new IncrementMethod(1, 2), _ => true).WaitAsync(CallBound));
        var direct2 = await Assert.ThrowsAsync<ArrayDictMethodNotDeployedException>(
            () => client.ApplyAsync(46, new IncrementMethod(1, 2), epoch: 1).WaitAsync(CallBound));

        Assert.True(clock.Elapsed < CallBound, $"the calls took {clock.Elapsed}");
        Assert.Equal(41, direct.Id);
        Assert.Contains(loop.Id, new long[] { 42, 43, 44, 45 });
        Assert.Equal(46, direct2.Id);
        Assert.Equal(typeof(IncrementMethod), loop.MethodType);
        Assert.Contains(typeof(IncrementMethod).FullName!, direct.Message);
        Assert.Contains("--method-assembly /path/to/ArrayDictOrleans.Tests.dll", direct.Message);
        Assert.IsAssignableFrom<Orleans.Serialization.SerializerException>(direct.InnerException);
    }

    [Fact]
    public async Task SiloProgram_MethodAssemblyFlag_RunsTheMethodsOfThatAssembly()
    {
        string clusterId = "method-assembly-" + Guid.NewGuid().ToString("N");
        var ports = FreePorts.Take(2);
        string methods = typeof(IncrementMethod).Assembly.Location;
        await using var silo = SiloProgramProcess.Start([.. TestSilo.ProgramArguments(clusterId, ports[0], ports[1]), "--method-assembly", methods]);
        await silo.WaitForOutputAsync(TestSilo.StartTimeout, "the silo to start", "Application started");
        using var start = new CancellationTokenSource(TestSilo.StartTimeout);
        using var host = await TestSilo.StartClientAsync(clusterId, ports[1], start.Token);
        var client = host.Services.GetRequiredService<ArrayDictClient>();

        var run = await client.RunUntilDoneAsync([51, 52, 53], (_, _) => new IncrementMethod(1, 2), value => value >= 6).WaitAsync(CallBound);

        Assert.Equal(3, run.Iterations);
        Assert.Equal(6, await client.Get(52).GetValueAsync(1));
    }

    [Fact]
    public async Task SiloProgram_MethodAssemblyThatIsNoFile_ExitsWithCode2NamingIt()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-such-methods-" + Guid.NewGuid().ToString("N") + ".dll");
        await using var silo = SiloProgramProcess.Start(["--storage", "Memory", "--method-assembly", missing]);

        var ended = await Assert.ThrowsAsync<InvalidOperationException>(() => silo.WaitForOutputAsync(TestSilo.StartTimeout, "the silo to start", "Application started"));

        Assert.Contains("exited with code 2", ended.Message);
        Assert.Contains($"ArrayDict:MethodAssemblies has '{missing}', which is not a file", ended.Message);
    }
}
