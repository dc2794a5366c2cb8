using EdgeAgent.Dashboard.Status;
using EdgeAgent.Pipeline;
using EdgeAgent.Pipeline.Health;
using EdgeAgent.Pipeline.Judge;
using EdgeAgent.Publish;
using EdgeAgent.Telemetry;

namespace EdgeAgent.Host.Hosting;

/// <summary>
/// The dashboard's view of the agent's health: the <see cref="HealthMonitor"/>'s judgement (the one the heartbeat
/// publishes) with the progress and queue figures beside it. Reads counters only; the monitor's single outbox
/// query is one indexed lookup.
/// </summary>
public sealed class DashboardStatus(
    HealthMonitor monitor,
    PipelineProgress progress,
    MetricsReader metrics,
    PipelineChannels channels,
    OutboxGate outbox,
    ActiveModels models,
    TimeProvider time) : IAgentStatus
{
    /// <inheritdoc/>
    public AgentStatus Now()
    {
        var (state, problems) = monitor.Evaluate();
        var now = time.GetUtcNow();
        return new AgentStatus(
            state,
            problems,
            now,
            Math.Round((now - progress.Started).TotalSeconds, 1),
            (long)metrics.Sum(AgentMetrics.Pairs),
            channels.Candidates.Reader.Count,
            channels.Judged.Reader.Count,
            outbox.Backlog,
            [.. models.Snapshot().Values.Select(m => new ModelInService(m.Name, m.Version, m.Model.Provider)).OrderBy(m => m.Name, StringComparer.Ordinal)]);
    }
}
