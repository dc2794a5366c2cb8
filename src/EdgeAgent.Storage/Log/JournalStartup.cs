using Microsoft.Extensions.Hosting;

namespace EdgeAgent.Storage.Log;

/// <summary>
/// Opens the journal when the host starts, as its first hosted service: the data directory's lock is taken
/// before (one agent per directory), and everything that judges, publishes or audits starts after it. A journal
/// that cannot open (damaged file, no space, no permission) stops the start here with one message.
/// </summary>
public sealed class JournalStartup(DataDirectoryLock directoryLock, VerdictLog log) : IHostedService
{
    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(directoryLock); // held for the life of the host; named here so the order is plain
        log.OpenForWriting();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask; // the container disposes the log last
}
