using ArrayDictOrleans.Grains;
using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Grains.Persistence;
using ArrayDictOrleans.Silo.Hosting;
using ArrayDictOrleans.Tests.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Storage;
using Orleans.TestingHost;

namespace ArrayDictOrleans.Tests.Clear;

/// <summary>
/// An in-process cluster of one silo whose ArrayDicts are stored on <see cref="Place"/> in one snapshot mode, through
/// the product's registration (no test wrapper in between), with a hook at every step of a clear.
/// </summary>
public sealed class StorageCluster : IAsyncDisposable
{
    private StorageCluster(InProcessTestCluster cluster, StoragePlace place, SnapshotMode mode)
    {
        Cluster = cluster;
        Place = place;
        Mode = mode;
    }

    public InProcessTestCluster Cluster { get; }

    public StoragePlace Place { get; }

    public SnapshotMode Mode { get; }

    public IArrayDictGrain NewGrain() => Cluster.Client.GetGrain<IArrayDictGrain>(ClusterFixture.NewKey());

    public static async Task<StorageCluster> StartAsync(StoragePlace place, SnapshotMode mode)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddArrayDictGrains();
            place.Register(silo, mode);
            silo.Configure<SiloMessagingOptions>(messaging => messaging.ResponseTimeout = TimeSpan.FromMinutes(2));
        });
        builder.ConfigureClient(client => client.Configure<ClientMessagingOptions>(messaging => messaging.ResponseTimeout = TimeSpan.FromMinutes(2)));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new StorageCluster(cluster, place, mode);
    }

    /// <summary>
    /// Calls <paramref name="hook"/> with the name of every step of a clear, on every storage object of every silo
    /// (the ArrayDict storage, the journal storage a Full-mode storage reads through, the journal store); null removes it.
    /// </summary>
    public void SetFaultPoint(Action<string>? hook)
    {
        foreach (var silo in Cluster.Silos)
        {
            switch (silo.ServiceProvider.GetRequiredKeyedService<IGrainStorage>(ArrayDictGrainOptions.StorageName))
            {
                case ArrayDictFullGrainStorage full:
                    full.FaultPoint = hook;
                    if (full.Journal is { } reader)
                    {
                        reader.FaultPoint = hook;
                        SetStoreHook(reader.Store, hook);
                    }

                    break;
                case ArrayDictJournalGrainStorage journal:
                    journal.FaultPoint = hook;
                    SetStoreHook(journal.Store, hook);
                    break;
                case var other:
                    throw new InvalidOperationException($"The silo stores ArrayDicts with {other.GetType().FullName}, which has no fault hooks.");
            }
        }
    }

    /// <summary>The steps <paramref name="clear"/> goes through, recorded while it runs to its end.</summary>
    public async Task<List<string>> RecordStepsAsync(Func<Task> clear)
    {
        var steps = new List<string>();
        SetFaultPoint(steps.Add);
        try
        {
            await clear();
        }
        finally
        {
            SetFaultPoint(null);
        }

        return steps;
    }

    /// <summary>Runs <paramref name="clear"/> with a simulated crash at the <paramref name="stepIndex"/>-th step (0-based); returns the failure it caused.</summary>
    public async Task<Exception> CrashAtAsync(int stepIndex, Func<Task> clear)
    {
        int seen = 0;
        string? crashedAt = null;
        SetFaultPoint(step =>
        {
            if (seen++ == stepIndex)
            {
                crashedAt = step;
                throw new SimulatedCrashException(step);
            }
        });
        Exception? failure;
        try
        {
            failure = await Record.ExceptionAsync(clear);
        }
        finally
        {
            SetFaultPoint(null);
        }

        Assert.True(crashedAt is not null, $"the clear took {seen} steps, so none crashed at step {stepIndex}");
        Assert.True(failure is not null, $"the clear returned although it crashed at {crashedAt}");
        return failure;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Cluster.StopAllSilosAsync();
        }
        finally
        {
            await Cluster.DisposeAsync();
        }
    }

    private static void SetStoreHook(IArrayDictJournalStore store, Action<string>? hook)
    {
        switch (store)
        {
            case LocalFileJournalStore local:
                local.FaultPoint = hook;
                break;
            case AzureBlobJournalStore azure:
                azure.AfterStep = hook is null ? null : step =>
                {
                    hook(step.ToString());
                    return Task.CompletedTask;
                };
                break;
        }
    }
}

/// <summary>What a fault hook throws: the process stopped at a step. Serializable, so that the grain's error carries it to the test.</summary>
[GenerateSerializer]
public sealed class SimulatedCrashException : Exception
{
    public SimulatedCrashException(string step)
        : base($"Simulated crash at {step}.")
    {
    }
}
