using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Extensions.Options;
using Orleans.Serialization.Configuration;

namespace ArrayDictOrleans.Silo.Hosting;

/// <summary>
/// Loads the assemblies of <see cref="ArrayDictSiloOptions.MethodAssemblies"/> into the default load context, each with
/// its own dependencies resolved from its folder (its <c>.deps.json</c>), and checks that Orleans generated serializers
/// for it.
/// </summary>
internal static class MethodAssemblies
{
    /// <summary>Loads each of <paramref name="paths"/>.</summary>
    /// <exception cref="OptionsValidationException">One cannot be loaded or has no Orleans serializers; the failure names its path.</exception>
    public static IReadOnlyList<Assembly> Load(IEnumerable<string> paths)
    {
        var loaded = new List<Assembly>();
        foreach (string path in paths)
        {
            string fullPath = Path.GetFullPath(path);
            Assembly assembly;
            try
            {
                var resolver = new AssemblyDependencyResolver(fullPath);
                AssemblyLoadContext.Default.Resolving += (context, name) =>
                    resolver.ResolveAssemblyToPath(name) is { } dependency ? context.LoadFromAssemblyPath(dependency) : null;
                assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(fullPath);
            }
            catch (Exception unloadable) when (unloadable is BadImageFormatException or FileLoadException or FileNotFoundException or InvalidOperationException)
            {
                throw Failure($"{ArrayDictSiloOptions.SectionName}:MethodAssemblies has '{path}', which could not be loaded: {unloadable.Message}");
            }

            if (!assembly.GetCustomAttributes<TypeManifestProviderAttribute>().Any())
            {
                throw Failure(
                    $"{ArrayDictSiloOptions.SectionName}:MethodAssemblies has '{path}' ({assembly.GetName().Name}), which has no Orleans serializers: its project must reference Microsoft.Orleans.Sdk (which generates them) and mark its methods [GenerateSerializer].");
            }

            loaded.Add(assembly);
        }

        return loaded;
    }

    // The exception carries the messages only: the cause's message is in it.
    private static OptionsValidationException Failure(string message) =>
        new(ArrayDictSiloOptions.SectionName, typeof(ArrayDictSiloOptions), [message]);
}
