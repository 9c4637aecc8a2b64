using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

// A web application so that the Orleans dashboard can be switched on (ArrayDict:Dashboard); off, it opens no HTTP port.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Configuration.AddArrayDictSiloCommandLine(args);
try
{
    builder.AddArrayDictSilo().AddArrayDictTelemetry();
    builder.AddArrayDictDashboard();
}
catch (OptionsValidationException invalid)
{
    foreach (string failure in invalid.Failures)
    {
        Console.Error.WriteLine($"arraydict-silo: {failure}");
    }

    return 2;
}

var app = builder.Build();
app.MapArrayDictDashboard();
await app.RunAsync();
return 0;
