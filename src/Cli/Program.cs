using System.Runtime.InteropServices;
using ArrayDictOrleans.Client.Cli;

// First, so that a run's wall time covers the whole process.
var clock = ProgramClock.SinceProcessStart();

// A failure on a thread of the host outside the command's own flow would end the process with the runtime's stack trace:
// report it like every other failure, one line (the trace only with --verbose), with the same exit code.
bool verbose = args.Contains("--verbose") || args.Contains("-v");
AppDomain.CurrentDomain.UnhandledException += (_, e) =>
{
    int code = e.ExceptionObject is Exception exception
        ? ArrayDictCli.Report(exception, Console.Error, verbose)
        : ArrayDictCli.Report(new InvalidOperationException($"A non-exception object was thrown: {e.ExceptionObject}"), Console.Error, verbose);
    Console.Error.Flush();
    Environment.Exit(code);
};

// Ctrl-C (and SIGTERM) cancel the command, which stops in order: the calls in flight finish, each grain keeps its last
// complete snapshot, the host shuts down. A second Ctrl-C ends the process at once.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = !cancellation.IsCancellationRequested;
    cancellation.Cancel();
};
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancellation.Cancel();
});

return await ArrayDictCli.RunAsync(args, Console.Out, Console.Error, cancellation.Token, clock);
