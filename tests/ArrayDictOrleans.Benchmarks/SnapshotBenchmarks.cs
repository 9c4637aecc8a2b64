using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Orleans.Storage;

namespace ArrayDictOrleans.Benchmarks;

/// <summary>
/// Writing and reading 1e6 rows of width 1 (keys <c>3 * j</c>): the binary snapshot against Orleans' grain-storage
/// serializers on a DTO of the same data (Newtonsoft JSON, the default, and the Orleans binary serializer), and
/// against copying the same number of raw bytes. Every writer writes into the same pre-sized <see cref="MemoryStream"/>.
/// The DTO is built once in the setup, which favours the serializers (a grain would copy its rows into it on every write).
/// </summary>
[SimpleJob(warmupCount: 2, iterationCount: 5)]
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SnapshotBenchmarks
{
    private const int Rows = 1_000_000;

    private ArrayDict _dict = new();
    private SnapshotDto _dto = new();
    private IGrainStorageSerializer _json = null!;
    private IGrainStorageSerializer _orleans = null!;
    private MemoryStream _target = new();
    private byte[] _rawBytes = [];
    private byte[] _readBuffer = [];
    private MemoryStream _snapshotSource = new();
    private BinaryData _snapshotData = new(Array.Empty<byte>());
    private BinaryData _jsonData = new(Array.Empty<byte>());
    private BinaryData _orleansData = new(Array.Empty<byte>());

    [GlobalSetup]
    public void Setup()
    {
        _dict = new ArrayDict();
        for (int j = 0; j < Rows; j++)
        {
            _dict[3L * j] = j * 0.5;
        }

        _dto = SnapshotDto.From(_dict);
        (_json, _orleans) = Serializers.Create();
        _jsonData = _json.Serialize(_dto);
        _orleansData = _orleans.Serialize(_dto);
        byte[] snapshot = ArrayDictSnapshot.ToArray(_dict);
        _snapshotData = new BinaryData(snapshot);
        _snapshotSource = new MemoryStream(snapshot, writable: false);
        _rawBytes = new byte[snapshot.Length];
        new Random(1).NextBytes(_rawBytes);
        _readBuffer = new byte[snapshot.Length];
        _target = new MemoryStream(Math.Max(_jsonData.ToMemory().Length, snapshot.Length) + 1024);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Write")]
    public long Write_RawBytes()
    {
        _target.Position = 0;
        _target.Write(_rawBytes);
        return _target.Position;
    }

    [Benchmark]
    [BenchmarkCategory("Write")]
    public long Write_Snapshot()
    {
        _target.Position = 0;
        ArrayDictSnapshot.Write(_dict, _target);
        return _target.Position;
    }

    [Benchmark]
    [BenchmarkCategory("Write")]
    public async Task<long> Write_SnapshotAsync()
    {
        _target.Position = 0;
        await ArrayDictSnapshot.WriteAsync(_dict, _target);
        return _target.Position;
    }

    [Benchmark]
    [BenchmarkCategory("Write")]
    public long Write_OrleansSerializer()
    {
        _target.Position = 0;
        _target.Write(_orleans.Serialize(_dto).ToMemory().Span);
        return _target.Position;
    }

    [Benchmark]
    [BenchmarkCategory("Write")]
    public long Write_JsonSerializer()
    {
        _target.Position = 0;
        _target.Write(_json.Serialize(_dto).ToMemory().Span);
        return _target.Position;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Read")]
    public int Read_RawBytes()
    {
        _snapshotSource.Position = 0;
        _snapshotSource.ReadExactly(_readBuffer);
        return _readBuffer[^1];
    }

    [Benchmark]
    [BenchmarkCategory("Read")]
    public int Read_SnapshotStream()
    {
        _snapshotSource.Position = 0;
        return ArrayDictSnapshot.Read(_snapshotSource).Count;
    }

    [Benchmark]
    [BenchmarkCategory("Read")]
    public async Task<int> Read_SnapshotStreamAsync()
    {
        _snapshotSource.Position = 0;
        return (await ArrayDictSnapshot.ReadWithMetadataAsync(_snapshotSource)).Dict.Count;
    }

    [Benchmark]
    [BenchmarkCategory("Read")]
    public int Read_SnapshotBinaryData() => ArrayDictSnapshot.Read(_snapshotData).Count;

    [Benchmark]
    [BenchmarkCategory("Read")]
    public int Read_OrleansSerializer() => _orleans.Deserialize<SnapshotDto>(_orleansData)!.Keys.Length;

    [Benchmark]
    [BenchmarkCategory("Read")]
    public int Read_JsonSerializer() => _json.Deserialize<SnapshotDto>(_jsonData)!.Keys.Length;
}
