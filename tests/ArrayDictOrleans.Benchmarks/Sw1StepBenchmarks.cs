using ArrayDictOrleans.Workload;
using BenchmarkDotNet.Attributes;

namespace ArrayDictOrleans.Benchmarks;

/// <summary>
/// One SW1 step (100 updates, 10 appends, the full sum) on an ArrayDict: bare, as the plain Orleans grain runs it, against
/// the same step inside a change scope that commits, as our grain runs it, and inside a scope whose changed and removed
/// keys are also read (what a journaling storage needs). Each iteration starts from <see cref="Objects"/> freshly filled
/// ArrayDicts and runs the eight steps t = 0..7 of each, so that array growth and a scope's first use count as in SW1;
/// time and allocation are per step. R = 100 and 1,000 here, R = 100,000 in <see cref="Sw1LargeStepBenchmarks"/>.
/// </summary>
[SimpleJob(warmupCount: 10, iterationCount: 30, invocationCount: 1)]
[MemoryDiagnoser]
[MinColumn]
public class Sw1StepBenchmarks
{
    private const int Objects = 256;

    private Sw1StepRun _run = new(1, 1);

    /// <summary>R, the initial rows per ArrayDict.</summary>
    [Params(100, 1000)]
    public int Rows { get; set; }

    [IterationSetup]
    public void Setup() => _run = new Sw1StepRun(Objects, Rows);

    [Benchmark(Baseline = true, OperationsPerInvoke = Objects * Sw1StepRun.Steps)]
    public double Bare() => _run.Bare();

    [Benchmark(OperationsPerInvoke = Objects * Sw1StepRun.Steps)]
    public double InScope() => _run.InScope(readKeys: false);

    [Benchmark(OperationsPerInvoke = Objects * Sw1StepRun.Steps)]
    public double InScopeReadingKeys() => _run.InScope(readKeys: true);
}

/// <summary>
/// <see cref="Sw1StepBenchmarks"/> over 10,000 ArrayDicts, as SW1 at N = 10000: they do not fit the processor's caches, so
/// that each step finds its rows in memory, as a grain's call does.
/// </summary>
[SimpleJob(warmupCount: 5, iterationCount: 20, invocationCount: 1)]
[MemoryDiagnoser]
[MinColumn]
public class Sw1StepOutOfCacheBenchmarks
{
    private const int Objects = 10_000;

    private Sw1StepRun _run = new(1, 1);

    /// <summary>R, the initial rows per ArrayDict.</summary>
    [Params(100, 1000)]
    public int Rows { get; set; }

    [IterationSetup]
    public void Setup() => _run = new Sw1StepRun(Objects, Rows);

    [Benchmark(Baseline = true, OperationsPerInvoke = Objects * Sw1StepRun.Steps)]
    public double Bare() => _run.Bare();

    [Benchmark(OperationsPerInvoke = Objects * Sw1StepRun.Steps)]
    public double InScope() => _run.InScope(readKeys: false);

    [Benchmark(OperationsPerInvoke = Objects * Sw1StepRun.Steps)]
    public double InScopeReadingKeys() => _run.InScope(readKeys: true);
}

/// <summary><see cref="Sw1StepBenchmarks"/> at R = 100,000, with fewer ArrayDicts per iteration.</summary>
[SimpleJob(warmupCount: 5, iterationCount: 20, invocationCount: 1)]
[MemoryDiagnoser]
[MinColumn]
public class Sw1LargeStepBenchmarks
{
    private const int Objects = 16;

    private Sw1StepRun _run = new(1, 1);

    /// <summary>R, the initial rows per ArrayDict.</summary>
    [Params(100_000)]
    public int Rows { get; set; }

    [IterationSetup]
    public void Setup() => _run = new Sw1StepRun(Objects, Rows);

    [Benchmark(Baseline = true, OperationsPerInvoke = Objects * Sw1StepRun.Steps)]
    public double Bare() => _run.Bare();

    [Benchmark(OperationsPerInvoke = Objects * Sw1StepRun.Steps)]
    public double InScope() => _run.InScope(readKeys: false);

    [Benchmark(OperationsPerInvoke = Objects * Sw1StepRun.Steps)]
    public double InScopeReadingKeys() => _run.InScope(readKeys: true);
}

/// <summary>Freshly filled SW1 ArrayDicts and the loops that step each of them through t = 0..7.</summary>
internal sealed class Sw1StepRun
{
    public const int Steps = 8;

    private readonly ArrayDict[] _dicts;
    private readonly Sw1Parameters _parameters;

    public Sw1StepRun(int objects, int rows)
    {
        _parameters = new Sw1Parameters(Objects: objects, Rows: rows, Updates: 100, Appends: 10, Budget: Steps, Width: 1);
        _dicts = new ArrayDict[objects];
        for (int i = 0; i < objects; i++)
        {
            _dicts[i] = new ArrayDict(_parameters.Width);
            Sw1.Fill(_dicts[i], _parameters);
        }
    }

    public double Bare()
    {
        double sum = 0;
        for (int t = 0; t < Steps; t++)
        {
            for (int i = 0; i < _dicts.Length; i++)
            {
                sum += Sw1.Step(_dicts[i], _parameters, i, t).Sum;
            }
        }

        return sum;
    }

    public double InScope(bool readKeys)
    {
        double sum = 0;
        for (int t = 0; t < Steps; t++)
        {
            for (int i = 0; i < _dicts.Length; i++)
            {
                using var scope = _dicts[i].BeginChanges();
                sum += Sw1.Step(_dicts[i], _parameters, i, t).Sum;
                if (readKeys)
                {
                    sum += scope.ChangedKeys.Count + scope.RemovedKeys.Count;
                }

                scope.Commit();
            }
        }

        return sum;
    }
}
