using ArrayDictOrleans.Client;
using ArrayDictOrleans.Silo.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>Hosts an ArrayDict silo and an <see cref="ArrayDictClient"/> of it in one process, as the <c>arraydict</c> program does.</summary>
public static class ArrayDictEmbeddedHostingExtensions
{
    /// <summary>
    /// Makes the host an ArrayDict silo (<see cref="ArrayDictSiloHostingExtensions.AddArrayDictSilo"/>) and registers an
    /// <see cref="ArrayDictClient"/> that calls its grains in process
    /// (<see cref="ArrayDictClientHostingExtensions.AddArrayDictInProcessClient"/>); both read the <c>ArrayDict</c> section.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="configureSilo">More silo configuration, applied last.</param>
    /// <param name="configureClient">Changes to the client's settings, applied before they are checked.</param>
    /// <exception cref="OptionsValidationException">A silo or client setting is invalid; the failures name each one.</exception>
    public static IHostApplicationBuilder AddArrayDictEmbedded(
        this IHostApplicationBuilder builder,
        Action<ArrayDictSiloOptions, ISiloBuilder>? configureSilo = null,
        Action<ArrayDictClientOptions>? configureClient = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddArrayDictSilo(configureSilo).AddArrayDictInProcessClient(configureClient);
    }
}
