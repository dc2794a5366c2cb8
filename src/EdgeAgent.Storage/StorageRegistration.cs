using EdgeAgent.Decisions;
using EdgeAgent.Hosting;
using EdgeAgent.Ingest;
using EdgeAgent.Publish;
using EdgeAgent.Storage.Log;
using EdgeAgent.Storage.Retention;
using EdgeAgent.Verdicts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Storage;

/// <summary>Registers the LiteDB journal: the data directory's lock, the verdict log and the seams the pipeline writes through.</summary>
public static class StorageRegistration
{
    /// <summary>
    /// <c>Storage</c> and <c>Retention</c> options, the data directory lock (one agent per directory) and the verdict
    /// log behind <see cref="IPairJournal"/> and <see cref="IVerdictOutbox"/>. The log opens in
    /// <see cref="JournalStartup"/>'s <c>StartAsync</c>: register Storage before every stage that uses the log, since
    /// hosted services start in registration order.
    /// </summary>
    public static IServiceCollection AddStorage(this IServiceCollection services)
    {
        services.AddValidatedOptions<VerdictLogOptions>(VerdictLogOptions.Section)
            .AddValidatedOptions<RetentionOptions>(RetentionOptions.Section)
            .AddValidatedOptions<ReviewOptions>(ReviewOptions.Section);
        // One id generator per process: the journal hands out the ids at "seen", the offline inspector for its pairs.
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<VerdictIdGenerator>();
        services.AddSingleton(sp => DataDirectoryLock.Acquire(sp.GetRequiredService<IOptions<VerdictLogOptions>>().Value.DataDirectory));
        services.AddSingleton(sp =>
        {
            sp.GetRequiredService<DataDirectoryLock>(); // one agent per data directory, before anything in it is touched
            return new VerdictLog(sp.GetRequiredService<IOptions<VerdictLogOptions>>().Value.DatabasePath, sp.GetRequiredService<VerdictIdGenerator>())
            {
                SpotCheckRate = sp.GetRequiredService<IOptions<ReviewOptions>>().Value.SpotCheckRate,
            };
        });
        services.AddSingleton<IPairJournal>(sp => sp.GetRequiredService<VerdictLog>());
        services.AddSingleton<IVerdictOutbox>(sp => sp.GetRequiredService<VerdictLog>());
        services.AddSingleton<IEventOutbox>(sp => sp.GetRequiredService<VerdictLog>());
        services.AddSingleton<IDecisionOutbox>(sp => sp.GetRequiredService<VerdictLog>());
        services.AddHostedService<JournalStartup>();
        return services;
    }
}
