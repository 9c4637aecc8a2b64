using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace ArrayDictOrleans.Benchmarks;

/// <summary>
/// Scalar get and set on 1e6 keys (<c>3 * j</c>, visited in a shuffled order): ArrayDict against
/// <see cref="Dictionary{TKey, TValue}"/> of <c>long</c> to <c>double</c>. Each benchmark touches every key once,
/// so the reported time is per key.
/// </summary>
[SimpleJob(warmupCount: 2, iterationCount: 5)]
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class LookupBenchmarks
{
    private const int Rows = 1_000_000;

    private long[] _order = [];
    private ArrayDict _arrayDict = new();
    private Dictionary<long, double> _dictionary = [];

    [GlobalSetup]
    public void Setup()
    {
        _order = new long[Rows];
        for (int j = 0; j < Rows; j++)
        {
            _order[j] = 3L * j;
        }

        new Random(42).Shuffle(_order);
        _arrayDict = new ArrayDict();
        _dictionary = [];
        for (int j = 0; j < Rows; j++)
        {
            _arrayDict[3L * j] = j * 0.5;
            _dictionary[3L * j] = j * 0.5;
        }
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    [BenchmarkCategory("Get")]
    public double ArrayDict_Get()
    {
        var dict = _arrayDict;
        double sum = 0;
        foreach (long key in _order)
        {
            sum += dict[key];
        }

        return sum;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Rows)]
    [BenchmarkCategory("Get")]
    public double Dictionary_Get()
    {
        var dict = _dictionary;
        double sum = 0;
        foreach (long key in _order)
        {
            sum += dict[key];
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    [BenchmarkCategory("SetExisting")]
    public void ArrayDict_SetExisting()
    {
        var dict = _arrayDict;
        double value = 1;
        foreach (long key in _order)
        {
            dict[key] = value;
            value += 1;
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Rows)]
    [BenchmarkCategory("SetExisting")]
    public void Dictionary_SetExisting()
    {
        var dict = _dictionary;
        double value = 1;
        foreach (long key in _order)
        {
            dict[key] = value;
            value += 1;
        }
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    [BenchmarkCategory("InsertFromEmpty")]
    public ArrayDict ArrayDict_InsertFromEmpty()
    {
        var dict = new ArrayDict();
        double value = 1;
        foreach (long key in _order)
        {
            dict[key] = value;
            value += 1;
        }

        return dict;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Rows)]
    [BenchmarkCategory("InsertFromEmpty")]
    public Dictionary<long, double> Dictionary_InsertFromEmpty()
    {
        var dict = new Dictionary<long, double>();
        double value = 1;
        foreach (long key in _order)
        {
            dict[key] = value;
            value += 1;
        }

        return dict;
    }
}
