using Microsoft.Extensions.Hosting;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>
/// A host lifetime that neither prints nor listens for Ctrl-C: the program owns Ctrl-C (it cancels the command, which
/// then stops the host in order), instead of the console lifetime stopping the host under a running command.
/// </summary>
internal sealed class SilentHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
