using ArrayDictOrleans.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace ArrayDictOrleans.Tests.Persistence;

/// <summary>Kept results as the grain makes them, for states that tests build by hand.</summary>
internal static class TestKeptResults
{
    /// <summary>The method fingerprint of every result made here: tests of storage do not run methods.</summary>
    public const ulong MethodFingerprint = 0x5EED;

    private static readonly Lazy<ServiceProvider> Services = new(() => new ServiceCollection()
        .AddSerializer(serializer => serializer
            .AddAssembly(typeof(ArrayDict).Assembly)
            .AddAssembly(typeof(ArrayDictState).Assembly)
            .AddAssembly(typeof(TestKeptResults).Assembly))
        .BuildServiceProvider());

    /// <summary>An Orleans serializer that knows the project's and the tests' types.</summary>
    public static Serializer Serializer => Services.Value.GetRequiredService<Serializer>();

    /// <summary>The result kept for a call returning <paramref name="result"/>.</summary>
    public static KeptResult Of<TResult>(TResult result) => KeptResult.Of(Serializer, result, MethodFingerprint);
}
