namespace EdgeAgent.Storage.Audit;

/// <summary>
/// One model-lifecycle event in the box's audit trail: who (key id or local actor), what (action, model,
/// version, hashes), when, and the numbers that decided it (e.g. the canary's).
/// </summary>
/// <param name="At">When it happened.</param>
/// <param name="Action">pushed, rejected, activated, rolled-back, threshold-changed.</param>
/// <param name="Actor">The signing key id, or who asked (e.g. <c>auto-rollback</c>, <c>config</c>).</param>
/// <param name="Model">Model name, when known.</param>
/// <param name="Version">Model version, when known.</param>
/// <param name="Sha256">SHA-256 of the model or package concerned.</param>
/// <param name="Detail">Reason code and numbers.</param>
/// <param name="Product">The product concerned (threshold changes).</param>
public sealed record AuditEntry(DateTimeOffset At, string Action, string Actor, string? Model, string? Version, string? Sha256, string Detail, string? Product = null)
{
    /// <summary>The action of a product's threshold change; the newest per product outlives audit pruning.</summary>
    public const string ThresholdChanged = "threshold-changed";

    /// <summary>The action of an operator's first decision about a verdict.</summary>
    public const string Decided = "decided";

    /// <summary>The action of a decision that overrides an earlier one.</summary>
    public const string DecisionOverridden = "decision-overridden";

    /// <summary>Longest detail stored; every other field is kept to <see cref="EdgeAgent.Security.ForeignText.DefaultMax"/> characters.</summary>
    public const int MaxDetailChars = 1000;

    /// <summary>The row's number in the trail (rising; 0 until stored): what <c>?before=</c> pages on.</summary>
    public long Id { get; init; }
}
