using EdgeAgent.Hosting;
using EdgeAgent.Ingest;
using EdgeAgent.Publish;
using EdgeAgent.Storage.Log;
using EdgeAgent.Storage.Retention;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Storage;

/// <summary>Registers the LiteDB journal: the data directory's lock, the verdict log and the seams the pipeline writes through.</summary>
public static class StorageRegistration
{
    /// <summary>
    /// <c>Storage</c> and <c>Retention</c> options, the data directory lock (one agent per directory) and the verdict
    /// log behind <see cref="IPairJournal"/> and <see cref="IVerdictOutbox"/>. The log opens when the first hosted
    /// service that needs it is created, i.e. during the host's start, after the options have been validated.
    /// </summary>
    public static IServiceCollection AddStorage(this IServiceCollection services)
    {
        services.AddValidatedOptions<VerdictLogOptions>(VerdictLogOptions.Section)
            .AddValidatedOptions<RetentionOptions>(RetentionOptions.Section);
        services.AddSingleton(sp => DataDirectoryLock.Acquire(sp.GetRequiredService<IOptions<VerdictLogOptions>>().Value.DataDirectory));
        services.AddSingleton(sp =>
        {
            sp.GetRequiredService<DataDirectoryLock>();
            return VerdictLog.Open(sp.GetRequiredService<IOptions<VerdictLogOptions>>().Value.DatabasePath);
        });
        services.AddSingleton<IPairJournal>(sp => sp.GetRequiredService<VerdictLog>());
        services.AddSingleton<IVerdictOutbox>(sp => sp.GetRequiredService<VerdictLog>());
        return services;
    }
}
