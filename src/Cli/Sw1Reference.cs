using System.Globalization;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>
/// The reference values of SW1's public sizes (<c>docs/workload.md</c>, from an independent implementation with exact
/// summation), and how a run's totalRows and checksum compare with them: totalRows equal, the checksum within a relative
/// 1e-9 (summation order may differ).
/// </summary>
internal static class Sw1Reference
{
    private static readonly (Sw1Parameters Size, long TotalRows, double Checksum)[] PublicSizes =
    [
        (new Sw1Parameters(1000, 1000, 100, 10, 8, 1), 1_045_000, 197176109.375),
        (new Sw1Parameters(100, 100_000, 100, 10, 8, 1), 10_004_420, 249449926095.0),
        (new Sw1Parameters(10_000, 100, 100, 10, 8, 1), 1_450_000, 11654711.9140625),
    ];

    /// <summary><c>equal</c> or <c>different</c> for a public size; null for other sizes. <c>--work-us</c> changes neither value.</summary>
    public static string? Compare(Sw1Parameters parameters, long totalRows, double checksum)
    {
        var size = parameters with { WorkIterations = 0 };
        foreach (var (reference, rows, sum) in PublicSizes)
        {
            if (reference == size)
            {
                return totalRows == rows && Math.Abs(checksum - sum) <= 1e-9 * Math.Abs(sum) ? "equal" : "different";
            }
        }

        return null;
    }

    /// <summary>The summary's line for <paramref name="comparison"/>.</summary>
    public static string Describe(Sw1Parameters parameters, string? comparison)
    {
        var size = parameters with { WorkIterations = 0 };
        var reference = PublicSizes.FirstOrDefault(entry => entry.Size == size);
        return comparison switch
        {
            "equal" => "equal (docs/workload.md)",
            "different" => string.Create(CultureInfo.InvariantCulture, $"DIFFERENT: expected totalRows {reference.TotalRows:N0}, checksum {reference.Checksum:R}"),
            _ => "none for these sizes",
        };
    }
}
