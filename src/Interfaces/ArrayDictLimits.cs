namespace ArrayDictOrleans;

/// <summary>
/// What one request may cost a silo, bound from <c>ArrayDict:Limits</c> (docs/security.md). A grain checks a request
/// against them before it allocates or changes anything, and refuses it with <see cref="ArrayDictLimitExceededException"/>.
/// A row of width W costs <c>8 + 8 * W</c> bytes (its key and values), as in a snapshot.
/// </summary>
public sealed class ArrayDictLimits
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "ArrayDict:Limits";

    /// <summary>The widest row, in values. Default 65,536 (512 KiB a row).</summary>
    public int MaxWidth { get; set; } = 65_536;

    /// <summary>The most rows one ArrayDict may hold. Default 200,000,000.</summary>
    public int MaxRows { get; set; } = 200_000_000;

    /// <summary>The most bytes of rows one ArrayDict may hold (rows times <c>8 + 8 * W</c>). Default 8 GiB.</summary>
    public long MaxBytes { get; set; } = 8L << 30;

    /// <summary>
    /// The most rows one call may read or write: <c>GetMany</c>, <c>SetMany</c>, an export page, an import page, and the rows
    /// a built-in method (SW1, upsert) touches. Default 1,000,000.
    /// </summary>
    public int MaxRowsPerCall { get; set; } = 1_000_000;

    /// <summary>
    /// The most bytes of rows one call may carry or return (rows times <c>8 + 8 * W</c>), whole exports included; below
    /// Orleans' 100 MB message limit. Default 64 MiB.
    /// </summary>
    public long MaxBytesPerCall { get; set; } = 64L << 20;

    /// <summary>
    /// The largest epoch a call may carry: 2^53 - 1 by default, far beyond any run, while an epoch such as
    /// <see cref="long.MaxValue"/> would leave no later epoch for the ArrayDict to accept.
    /// </summary>
    public long MaxEpoch { get; set; } = (1L << 53) - 1;

    /// <summary>The bytes a row of <paramref name="width"/> values costs: its key and its values.</summary>
    public static long RowBytes(int width) => sizeof(long) + (sizeof(double) * (long)width);

    /// <summary>The failures of these limits' own values, each naming its setting; empty when all are valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        Positive(problems, nameof(MaxWidth), MaxWidth);
        Positive(problems, nameof(MaxRows), MaxRows);
        Positive(problems, nameof(MaxBytes), MaxBytes);
        Positive(problems, nameof(MaxRowsPerCall), MaxRowsPerCall);
        Positive(problems, nameof(MaxBytesPerCall), MaxBytesPerCall);
        if (MaxEpoch < 0)
        {
            problems.Add($"{SectionName}:{nameof(MaxEpoch)} is {MaxEpoch}; it must not be negative.");
        }

        return problems;
    }

    /// <summary>Refuses a row width over <see cref="MaxWidth"/> (a width below 1 is the caller's to refuse).</summary>
    /// <exception cref="ArrayDictLimitExceededException">The width is over the limit.</exception>
    public void CheckWidth(long width, string what)
    {
        if (width > MaxWidth)
        {
            throw new ArrayDictLimitExceededException(nameof(MaxWidth), MaxWidth, width, $"{what} asks for rows of {width} values");
        }
    }

    /// <summary>Whether an ArrayDict of <paramref name="rows"/> rows of <paramref name="width"/> values is within <see cref="MaxWidth"/>, <see cref="MaxRows"/> and <see cref="MaxBytes"/>.</summary>
    /// <remarks>For hot paths: a check that needs no message until it fails (<see cref="CheckSize"/> says why).</remarks>
    public bool AllowsSize(long rows, int width) => width <= MaxWidth && rows <= MaxRows && Bytes(rows, width) <= MaxBytes;

    /// <summary>Refuses an ArrayDict of <paramref name="rows"/> rows of <paramref name="width"/> values over <see cref="MaxWidth"/>, <see cref="MaxRows"/> or <see cref="MaxBytes"/>.</summary>
    /// <exception cref="ArrayDictLimitExceededException">A limit is exceeded.</exception>
    public void CheckSize(long rows, int width, string what)
    {
        CheckWidth(width, what);
        if (rows > MaxRows)
        {
            throw new ArrayDictLimitExceededException(nameof(MaxRows), MaxRows, rows, $"{what} asks for an ArrayDict of {rows} rows");
        }

        long bytes = Bytes(rows, width);
        if (bytes > MaxBytes)
        {
            throw new ArrayDictLimitExceededException(nameof(MaxBytes), MaxBytes, bytes, $"{what} asks for an ArrayDict of {rows} rows of width {width}, {bytes} bytes");
        }
    }

    /// <summary>Refuses one call that reads or writes <paramref name="rows"/> rows of <paramref name="width"/> values over <see cref="MaxRowsPerCall"/> or <see cref="MaxBytesPerCall"/>.</summary>
    /// <exception cref="ArrayDictLimitExceededException">A limit is exceeded.</exception>
    public void CheckCall(long rows, int width, string what)
    {
        if (rows > MaxRowsPerCall)
        {
            throw new ArrayDictLimitExceededException(nameof(MaxRowsPerCall), MaxRowsPerCall, rows, $"{what} asks for {rows} rows in one call");
        }

        long bytes = Bytes(rows, width);
        if (bytes > MaxBytesPerCall)
        {
            throw new ArrayDictLimitExceededException(nameof(MaxBytesPerCall), MaxBytesPerCall, bytes, $"{what} asks for {rows} rows of width {width}, {bytes} bytes in one call");
        }
    }

    /// <summary>Refuses one call that returns <paramref name="rows"/> rows of <paramref name="width"/> values over <see cref="MaxBytesPerCall"/>, whatever their number.</summary>
    /// <exception cref="ArrayDictLimitExceededException">The limit is exceeded.</exception>
    public void CheckCallBytes(long rows, int width, string what)
    {
        long bytes = Bytes(rows, width);
        if (bytes > MaxBytesPerCall)
        {
            throw new ArrayDictLimitExceededException(nameof(MaxBytesPerCall), MaxBytesPerCall, bytes, $"{what} asks for {rows} rows of width {width}, {bytes} bytes in one call");
        }
    }

    /// <summary>Refuses an epoch over <see cref="MaxEpoch"/>.</summary>
    /// <exception cref="ArrayDictLimitExceededException">The epoch is over the limit.</exception>
    public void CheckEpoch(long epoch, string what)
    {
        if (epoch > MaxEpoch)
        {
            throw new ArrayDictLimitExceededException(nameof(MaxEpoch), MaxEpoch, epoch, $"{what} carries epoch {epoch}");
        }
    }

    /// <summary>The bytes of <paramref name="rows"/> rows of <paramref name="width"/> values, <see cref="long.MaxValue"/> when more.</summary>
    private static long Bytes(long rows, int width) => (long)Int128.Min((Int128)Math.Max(0, rows) * RowBytes(width), long.MaxValue);

    private static void Positive(List<string> problems, string name, long value)
    {
        if (value < 1)
        {
            problems.Add($"{SectionName}:{name} is {value}; it must be at least 1.");
        }
    }
}
