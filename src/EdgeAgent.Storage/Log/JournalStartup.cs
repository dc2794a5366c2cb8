using Microsoft.Extensions.Hosting;

namespace EdgeAgent.Storage.Log;

/// <summary>
/// Opens the journal when the host starts, as its first hosted service; everything that judges, publishes or
/// audits starts after it. The data directory's lock was taken when the log was registered-and-resolved (see
/// <see cref="StorageRegistration.AddStorage"/>), so one agent per directory holds before the file is touched.
/// A journal that cannot open (damaged file, no space, no permission) stops the start here with one message.
/// </summary>
public sealed class JournalStartup(VerdictLog log) : IHostedService
{
    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        log.OpenForWriting();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask; // the container disposes the log last
}
