using EdgeAgent.Dashboard.Status;

namespace EdgeAgent.Dashboard.Tests.Support;

/// <summary>A health status the test sets, in place of the agent's monitor.</summary>
public sealed class FixedStatus : IAgentStatus
{
    public AgentStatus Status { get; set; } = new("healthy", [], DateTimeOffset.UnixEpoch, 3600, 12, 0, 0, 0, [new ModelInService("stpm-r18-synth", "1.0.0", "CPU")]);

    public AgentStatus Now() => Status;
}
