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
/// <param name="Shadow">How the shadow's verdict compares with the verdict (pairs a shadow judged only).</param>
public sealed record VerdictQuery(
    DateTimeOffset? Since = null,
    DateTimeOffset? Until = null,
    VerdictKind? Outcome = null,
    string? Product = null,
    int Limit = 100,
    double? MinScore = null,
    double? MaxScore = null,
    long? BeforeSeq = null,
    ShadowFilter? Shadow = null);

/// <summary>How a pair's shadow verdict compares with its verdict.</summary>
public enum ShadowFilter
{
    /// <summary>Both OK or both NG.</summary>
    Agree,

    /// <summary>The service said OK, the shadow NG.</summary>
    OkToNg,

    /// <summary>The service said NG, the shadow OK.</summary>
    NgToOk,

    /// <summary>Either of the two above.</summary>
    Disagree,

    /// <summary>One of them was neither OK nor NG.</summary>
    Undecided,
}

/// <summary>The labels the log stores for <see cref="ShadowFilter"/> (field <c>shadow</c> of a verdict's document).</summary>
public static class ShadowLabels
{
    /// <summary>The stored label of a comparison.</summary>
    public static string Of(ShadowFilter filter) => filter switch
    {
        ShadowFilter.Agree => "agree",
        ShadowFilter.OkToNg => "ok-to-ng",
        ShadowFilter.NgToOk => "ng-to-ok",
        ShadowFilter.Disagree => "disagree",
        _ => "undecided",
    };

    /// <summary>How <paramref name="verdict"/>'s shadow compares with it; null when no shadow judged it.</summary>
    public static string? Of(Verdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        return verdict.Shadow is not { } shadow ? null
            : verdict.Outcome is not (VerdictKind.Ok or VerdictKind.Ng) || shadow.Outcome is not (VerdictKind.Ok or VerdictKind.Ng) ? Of(ShadowFilter.Undecided)
            : verdict.Outcome == shadow.Outcome ? Of(ShadowFilter.Agree)
            : verdict.Outcome == VerdictKind.Ok ? Of(ShadowFilter.OkToNg)
            : Of(ShadowFilter.NgToOk);
    }
}
