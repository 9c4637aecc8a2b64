using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddCommandLine(args, ArrayDictSiloHostingExtensions.SwitchMappings.ToDictionary());
try
{
    builder.AddArrayDictSilo();
}
catch (OptionsValidationException invalid)
{
    foreach (string failure in invalid.Failures)
    {
        Console.Error.WriteLine($"arraydict-silo: {failure}");
    }

    return 2;
}

await builder.Build().RunAsync();
return 0;
