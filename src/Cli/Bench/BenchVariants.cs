using ArrayDictOrleans.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Serialization;
using Orleans.Storage;

namespace ArrayDictOrleans.Client.Bench;

/// <summary>The variants of <c>arraydict bench</c>: what each one is, and the silo settings that make it.</summary>
internal static class BenchVariants
{
    public const string Raw = "raw";
    public const string OrleansBare = "orleans-bare";
    public const string Orleans = "orleans";
    public const string OrleansJournal = "orleans-journal";
    public const string OrleansJournalUnsynced = "orleans-journal-unsynced";
    public const string OrleansSnapshots = "orleans-snapshots";
    public const string OrleansJsonSnapshots = "orleans-json-snapshots";

    /// <summary>Every variant, in the default order: the floor, the yardstick, ours without persistence, then ours persisted.</summary>
    public static readonly string[] All = [Raw, OrleansBare, Orleans, OrleansJournal, OrleansJournalUnsynced, OrleansSnapshots, OrleansJsonSnapshots];

    /// <summary>Whether the variant keeps state in storage (local files, or Azure Blob with <c>--storage AzureBlob</c>).</summary>
    public static bool IsPersisted(string variant) => variant is OrleansJournal or OrleansJournalUnsynced or OrleansSnapshots or OrleansJsonSnapshots;

    /// <summary>Whether the variant means anything on <paramref name="storage"/>: giving up the sync is a local-file matter.</summary>
    public static bool RunsOn(string variant, BenchStorage storage) => !(variant == OrleansJournalUnsynced && storage == BenchStorage.AzureBlob);

    /// <summary>The settings that make <paramref name="variant"/> (its persistence policy and snapshot mode), over those of its place.</summary>
    public static Dictionary<string, string?> Settings(string variant, BenchPlace place)
    {
        bool persisted = IsPersisted(variant);
        var settings = new Dictionary<string, string?>(place.Settings)
        {
            ["ArrayDict:PersistEvery"] = persisted ? "1" : "0",
            ["ArrayDict:SnapshotMode"] = variant is OrleansJournal or OrleansJournalUnsynced ? "Journal" : "Full",
            ["ArrayDict:AllowLostCallsOnMachineCrash"] = variant == OrleansJournalUnsynced ? "true" : "false",
            ["ArrayDict:Dashboard:Enabled"] = "false",
        };
        if (!persisted)
        {
            settings["ArrayDict:Storage"] = "Memory";
        }

        return settings;
    }

    /// <summary>More silo configuration for <paramref name="variant"/>: the JSON snapshots' serializer, or no storage at all; null when none.</summary>
    public static Action<ISiloBuilder>? ConfigureSilo(string variant) => variant switch
    {
        OrleansJsonSnapshots => UseNewtonsoftJsonSnapshots,
        Orleans => silo => silo.Services.AddKeyedSingleton<IGrainStorage>(ArrayDictGrainOptions.StorageName, new DiscardingGrainStorage()),
        _ => null,
    };

    /// <summary>
    /// Orleans' default JSON grain-storage serializer (<see cref="JsonGrainStorageSerializer"/>, Newtonsoft) on the
    /// snapshot provider (the local one, or Orleans' own Azure Blob provider), as a user without this project's snapshot
    /// format would have it, with the one converter that ArrayDict needs.
    /// </summary>
    private static void UseNewtonsoftJsonSnapshots(ISiloBuilder silo)
    {
        silo.Services.Configure<OrleansJsonSerializerOptions>(options => options.JsonSerializerSettings.Converters.Add(new ArrayDictNewtonsoftConverter()));
        silo.UseArrayDictGrainStorageSerializer(services => new JsonGrainStorageSerializer(services.GetRequiredService<OrleansJsonSerializer>()));
    }
}

/// <summary>Where <c>arraydict bench</c> keeps the persisted variants' state (<c>--storage</c>).</summary>
internal enum BenchStorage
{
    /// <summary>Local files, a fresh directory per run under the data directory.</summary>
    Local,

    /// <summary>Azure Blob storage, a fresh container per run.</summary>
    AzureBlob,
}
