using Microsoft.Extensions.DependencyInjection;

namespace ArrayDictOrleans.Tests.Azure;

/// <summary>
/// Runs the start stages of the silo lifecycle for services built outside a silo: every registered
/// <see cref="ILifecycleParticipant{ISiloLifecycle}"/> subscribes, then the observers start in stage order, as a silo
/// does. Storage providers do their set-up there (the Azure blob provider creates its container).
/// </summary>
internal sealed class SiloLifecycleRunner : ISiloLifecycle
{
    private readonly List<(int Stage, string Name, ILifecycleObserver Observer)> _observers = [];

    public int HighestCompletedStage { get; private set; } = int.MinValue;

    public int LowestStoppedStage => int.MaxValue;

    /// <summary>Starts every lifecycle participant registered in <paramref name="services"/>.</summary>
    public static async Task StartAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var lifecycle = new SiloLifecycleRunner();
        foreach (var participant in services.GetServices<ILifecycleParticipant<ISiloLifecycle>>())
        {
            participant.Participate(lifecycle);
        }

        foreach (var stage in lifecycle._observers.GroupBy(observer => observer.Stage).OrderBy(group => group.Key))
        {
            await Task.WhenAll(stage.Select(observer => observer.Observer.OnStart(cancellationToken)));
            lifecycle.HighestCompletedStage = stage.Key;
        }
    }

    public IDisposable Subscribe(string observerName, int stage, ILifecycleObserver observer)
    {
        var entry = (stage, observerName, observer);
        _observers.Add(entry);
        return new Unsubscriber(() => _observers.Remove(entry));
    }

    private sealed class Unsubscriber(Action unsubscribe) : IDisposable
    {
        public void Dispose() => unsubscribe();
    }
}
