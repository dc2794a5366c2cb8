namespace EdgeAgent.Vision.Align;

/// <summary>
/// The aligner's answer: the transform (always filled in, so a supervisor can see what was estimated),
/// whether it can be vouched for, and if not, why (e.g. "low confidence 0.31", "shift 40.2 px exceeds 32").
/// </summary>
public sealed record AlignmentEstimate(EdgeAgent.Align.Alignment Alignment, bool Trusted, string? UntrustedReason);
