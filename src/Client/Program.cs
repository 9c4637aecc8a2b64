using System.Runtime.InteropServices;
using ArrayDictOrleans.Client.Cli;

// First, so that a run's wall time covers the whole process.
var clock = ProgramClock.SinceProcessStart();

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
