using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace ArrayDictOrleans.Silo.Hosting;

/// <summary>Reads the <c>ArrayDict</c> section for the extensions beside <c>AddArrayDictSilo</c> (dashboard, telemetry).</summary>
internal static class ArrayDictSiloConfiguration
{
    /// <summary>Binds and checks the <c>ArrayDict</c> section.</summary>
    /// <exception cref="OptionsValidationException">A setting is invalid; the failures name each one.</exception>
    public static ArrayDictSiloOptions Read(IConfiguration configuration)
    {
        ArrayDictSiloOptions options;
        try
        {
            options = configuration.GetSection(ArrayDictSiloOptions.SectionName).Get<ArrayDictSiloOptions>() ?? new ArrayDictSiloOptions();
        }
        catch (InvalidOperationException unreadable)
        {
            // The binder names the key and the value it could not convert (an unknown enum name, a bad number).
            throw new OptionsValidationException(ArrayDictSiloOptions.SectionName, typeof(ArrayDictSiloOptions), [unreadable.Message]);
        }

        var validation = new ArrayDictSiloOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(ArrayDictSiloOptions.SectionName, typeof(ArrayDictSiloOptions), validation.Failures);
        }

        return options;
    }
}
