using System.Text.Json;

namespace ArrayDictOrleans.Tests.Hosting;

/// <summary>
/// The silo program and the <c>arraydict</c> program (which hosts the embedded silo) run server GC with one heap per
/// core: what their <c>runtimeconfig.json</c>, as built next to the tests, tells .NET at start.
/// </summary>
public sealed class GarbageCollectorSettingsTests
{
    [Theory]
    [InlineData("ArrayDictOrleans.Silo.runtimeconfig.json")]
    [InlineData("arraydict.runtimeconfig.json")]
    public void Program_RunsServerGcWithOneHeapPerCore(string file)
    {
        string path = Path.Combine(AppContext.BaseDirectory, file);
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.True(properties.TryGetProperty("System.GC.Server", out var server), $"{file} does not set System.GC.Server");
        Assert.True(server.GetBoolean(), $"{file} sets System.GC.Server to false");
        Assert.True(properties.TryGetProperty("System.GC.DynamicAdaptationMode", out var adaptation), $"{file} leaves DATAS to .NET's default");
        Assert.Equal(0, adaptation.GetInt32());
    }
}
