using EdgeAgent.Verdicts;

namespace EdgeAgent.Storage.Log;

/// <summary>The filters a supervisor uses on the log. Null means "any".</summary>
public sealed record VerdictQuery(
    DateTimeOffset? Since = null,
    DateTimeOffset? Until = null,
    VerdictKind? Outcome = null,
    string? Product = null,
    int Limit = 100);
