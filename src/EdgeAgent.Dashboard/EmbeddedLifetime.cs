using Microsoft.Extensions.Hosting;

namespace EdgeAgent.Dashboard;

/// <summary>
/// The dashboard's web host runs inside the agent's host, which owns SIGTERM and systemd notifications; the default
/// console lifetime would register a second set of signal handlers and stop the dashboard on its own.
/// </summary>
internal sealed class EmbeddedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
