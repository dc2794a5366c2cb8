using EdgeAgent.Verdicts;

namespace EdgeAgent.Storage.Log;

/// <summary>The filters a supervisor uses on the log. Null means "any".</summary>
/// <param name="Since">Judged at or after.</param>
/// <param name="Until">Judged before.</param>
/// <param name="Outcome">OK, NG, REVIEW or ERROR.</param>
/// <param name="Product">The product.</param>
/// <param name="Limit">At most this many, newest first.</param>
/// <param name="MinScore">Score at least this (verdicts without a score never match a score filter).</param>
/// <param name="MaxScore">Score at most this.</param>
/// <param name="BeforeSeq">Only sequence numbers below this: the next page after a page ending at that verdict.</param>
public sealed record VerdictQuery(
    DateTimeOffset? Since = null,
    DateTimeOffset? Until = null,
    VerdictKind? Outcome = null,
    string? Product = null,
    int Limit = 100,
    double? MinScore = null,
    double? MaxScore = null,
    long? BeforeSeq = null);
