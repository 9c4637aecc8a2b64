using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.Hosting;

/// <summary>The silo program's command line as configuration.</summary>
public static class ArrayDictSiloCommandLine
{
    private const string MethodAssemblyFlag = "--method-assembly";

    /// <summary>
    /// Adds <paramref name="args"/> with the flags of <see cref="ArrayDictSiloHostingExtensions.SwitchMappings"/>;
    /// <c>--method-assembly PATH</c> may repeat, each adding one entry of <c>ArrayDict:MethodAssemblies</c>.
    /// </summary>
    public static IConfigurationBuilder AddArrayDictSiloCommandLine(this IConfigurationBuilder configuration, string[] args)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(args);
        var expanded = new List<string>(args.Length);
        int methodAssemblies = 0;
        for (int i = 0; i < args.Length; i++)
        {
            string key = $"--ArrayDict:MethodAssemblies:{methodAssemblies.ToString(CultureInfo.InvariantCulture)}";
            if (args[i] == MethodAssemblyFlag && i + 1 < args.Length)
            {
                expanded.Add(key);
                expanded.Add(args[++i]);
                methodAssemblies++;
            }
            else if (args[i].StartsWith(MethodAssemblyFlag + "=", StringComparison.Ordinal))
            {
                expanded.Add(key);
                expanded.Add(args[i][(MethodAssemblyFlag.Length + 1)..]);
                methodAssemblies++;
            }
            else
            {
                expanded.Add(args[i]);
            }
        }

        return configuration.AddCommandLine([.. expanded], ArrayDictSiloHostingExtensions.SwitchMappings.ToDictionary());
    }
}
