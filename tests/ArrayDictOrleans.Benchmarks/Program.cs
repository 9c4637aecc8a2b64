using ArrayDictOrleans.Benchmarks;
using BenchmarkDotNet.Running;

// "memory" and "sizes" print what BenchmarkDotNet does not measure, "interleaved" cross-checks its ratios on a busy
// machine; anything else goes to BenchmarkDotNet.
switch (args.FirstOrDefault())
{
    case "memory":
        MemoryReport.Run();
        break;
    case "sizes":
        SizeReport.Run();
        break;
    case "interleaved":
        InterleavedReport.Run();
        break;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(MemoryReport).Assembly).Run(args);
        break;
}
