using EdgeAgent.Verdicts;

namespace EdgeAgent.Decisions;

/// <summary>A person's decision as it reaches the journal, already checked for shape and rights.</summary>
/// <param name="VerdictId">The verdict decided.</param>
/// <param name="Decision">OK or NG.</param>
/// <param name="DefectClass">The defect class, when given.</param>
/// <param name="Comment">Free text, when given.</param>
/// <param name="By">The user.</param>
/// <param name="Role">Their role (lower case).</param>
/// <param name="Override">Replace an earlier decision (only a supervisor may ask).</param>
public sealed record DecisionRequest(string VerdictId, VerdictKind Decision, string? DefectClass, string? Comment, string By, string Role, bool Override);

/// <summary>What the journal did with a <see cref="DecisionRequest"/>.</summary>
public enum DecisionStatus
{
    /// <summary>Stored, forced to disk and queued for publication.</summary>
    Stored,

    /// <summary>No judged verdict has this id.</summary>
    UnknownVerdict,

    /// <summary>The verdict has moved to the archive (older than <c>Retention:ArchiveAfter</c> and not held for review).</summary>
    Archived,

    /// <summary>The verdict already has a decision and no override was asked for.</summary>
    AlreadyDecided,
}

/// <summary>The outcome of storing a decision: the status, and the stored decision when there is one.</summary>
public sealed record DecisionResult(DecisionStatus Status, OperatorDecision? Decision, OperatorDecision? Existing);
