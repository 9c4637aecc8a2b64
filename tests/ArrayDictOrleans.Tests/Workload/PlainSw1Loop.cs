using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Tests.Workload;

/// <summary>SW1's driver as a plain single-threaded loop over ArrayDict objects: what every other run must agree with.</summary>
public static class PlainSw1Loop
{
    public static (long Calls, int Iterations, long TotalRows, double Checksum) Run(Sw1Parameters parameters)
    {
        var dicts = new ArrayDict[parameters.Objects];
        for (int i = 0; i < dicts.Length; i++)
        {
            dicts[i] = new ArrayDict(parameters.Width);
            Sw1.Fill(dicts[i], parameters);
        }

        var last = new Sw1StepResult[parameters.Objects];
        var considered = Enumerable.Range(0, parameters.Objects).ToList();
        long calls = 0;
        int t = 0;
        while (considered.Count > 0)
        {
            foreach (int i in considered)
            {
                last[i] = Sw1.Step(dicts[i], parameters, i, t);
            }

            calls += considered.Count;
            considered = considered.Where(i => !last[i].Done).ToList();
            t++;
        }

        return (calls, t, dicts.Sum(d => (long)d.Count), last.Sum(r => r.Sum));
    }
}
