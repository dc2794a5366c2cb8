namespace EdgeAgent.Dashboard.Status;

/// <summary>
/// The agent's health as the dashboard shows it. The seam to the executable, which holds the pipeline and its
/// health judgement (the same one the heartbeat publishes); tests give a fixed status.
/// </summary>
public interface IAgentStatus
{
    /// <summary>The status now; cheap and non-blocking (it is asked on every page).</summary>
    AgentStatus Now();
}

/// <summary>A snapshot of the agent's health.</summary>
/// <param name="State"><c>healthy</c>, <c>degraded</c> or <c>stalled</c>.</param>
/// <param name="Problems">Why it is not healthy; empty when it is.</param>
/// <param name="At">When the snapshot was taken.</param>
/// <param name="UptimeS">Seconds since the agent started.</param>
/// <param name="PairsTotal">Pairs judged since start.</param>
/// <param name="WaitingPairs">Pairs waiting for inspection.</param>
/// <param name="WaitingVerdicts">Verdicts waiting for the journal.</param>
/// <param name="OutboxBacklog">Verdicts stored but not yet acknowledged by the broker.</param>
/// <param name="Models">The models in service.</param>
public sealed record AgentStatus(
    string State,
    IReadOnlyList<string> Problems,
    DateTimeOffset At,
    double UptimeS,
    long PairsTotal,
    int WaitingPairs,
    int WaitingVerdicts,
    long OutboxBacklog,
    IReadOnlyList<ModelInService> Models);

/// <summary>A model judging pairs now, and the execution provider it runs on.</summary>
public sealed record ModelInService(string Name, string Version, string Provider);
