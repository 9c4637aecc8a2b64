namespace ArrayDictOrleans.Workload;

/// <summary>The two operations of SW1 on one ArrayDict, usable in a grain or in a plain loop alike.</summary>
public static class Sw1
{
    /// <summary>Fills <paramref name="dict"/> with the initial state: key <c>3j</c>, every value of its row <c>j / 2</c>, for j below <c>Rows</c>.</summary>
    public static void Fill(ArrayDict dict, Sw1Parameters parameters)
    {
        ArgumentNullException.ThrowIfNull(dict);
        ArgumentNullException.ThrowIfNull(parameters);
        dict.EnsureCapacity(parameters.Rows);
        for (int j = 0; j < parameters.Rows; j++)
        {
            dict.AddRow(3L * j).Fill(j * 0.5);
        }
    }

    /// <summary>
    /// Runs iteration <paramref name="iteration"/> of object <paramref name="objectId"/>: updates, appends, the full sum, and
    /// <see cref="Sw1Parameters.WorkIterations"/> steps of CPU work whose outcome goes into the result, not the rows.
    /// </summary>
    public static Sw1StepResult Step(ArrayDict dict, Sw1Parameters parameters, long objectId, int iteration)
    {
        ArgumentNullException.ThrowIfNull(dict);
        ArgumentNullException.ThrowIfNull(parameters);
        long t = iteration;
        for (long u = 0; u < parameters.Updates; u++)
        {
            long key = 3 * (((objectId * 31) + (t * 17) + (u * 7919)) % parameters.Rows);
            foreach (ref double value in dict.GetRow(key))
            {
                value = (value * 0.5) + t;
            }
        }

        for (long a = 0; a < parameters.Appends; a++)
        {
            long key = (3L * parameters.Rows) + (3 * ((t * parameters.Appends) + a)) + 1;
            dict.AddRow(key).Fill(t + a);
        }

        ulong work = Sw1Work.Run(parameters.WorkIterations, objectId, iteration);
        return new Sw1StepResult(Sum(dict), dict.Count, t + 1 >= parameters.CallsFor(objectId), work);
    }

    /// <summary>The sum of every value of every row in use.</summary>
    public static double Sum(ArrayDict dict)
    {
        ArgumentNullException.ThrowIfNull(dict);
        if (dict.FreeRowCount == 0)
        {
            return SumSpan(dict.Values);
        }

        double sum = 0;
        foreach (var entry in dict)
        {
            sum += SumSpan(entry.Values);
        }

        return sum;
    }

    private static double SumSpan(ReadOnlySpan<double> values)
    {
        double sum = 0;
        foreach (double value in values)
        {
            sum += value;
        }

        return sum;
    }
}
