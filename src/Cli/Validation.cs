using System.CommandLine;
using System.CommandLine.Parsing;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>Range checks on flags and arguments; a value out of range is a usage error naming the flag.</summary>
internal static class Validation
{
    public static void Between(Option<int> option, int min, int max) => option.Validators.Add(result =>
    {
        if (TryGet(result, out int value) && (value < min || value > max))
        {
            result.AddError($"{option.Name} is {value}; it must lie in {min}..{max}.");
        }
    });

    public static void AtLeast(Option<int?> option, int min) => option.Validators.Add(result =>
    {
        if (TryGet(result, out int? value) && value < min)
        {
            result.AddError($"{option.Name} is {value}; it must be at least {min}.");
        }
    });

    public static void AtLeast(Option<long> option, long min) => option.Validators.Add(result =>
    {
        if (TryGet(result, out long value) && value < min)
        {
            result.AddError($"{option.Name} is {value}; it must be at least {min}.");
        }
    });

    public static void OneOf(Option<string> option, params string[] allowed) => option.Validators.Add(result =>
    {
        if (TryGet(result, out string? value) && value is not null && !allowed.Contains(value, StringComparer.OrdinalIgnoreCase))
        {
            result.AddError($"{option.Name} is '{value}'; use {string.Join(", ", allowed)}.");
        }
    });

    /// <summary>The option's value, unless it failed to convert (the parser reports that error itself).</summary>
    public static bool TryGet<T>(OptionResult result, out T? value)
    {
        try
        {
            value = result.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default;
            return false;
        }
    }
}
