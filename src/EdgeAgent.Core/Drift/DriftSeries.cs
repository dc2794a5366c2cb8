using EdgeAgent.Verdicts;

namespace EdgeAgent.Drift;

/// <summary>
/// One quantity the control rule watches, read from a stored verdict (null when the verdict does not carry it, e.g.
/// an ERROR before any model ran, or a model without an out-of-distribution output). Adding a series is one line in
/// <see cref="All"/>; its name is part of the <c>edgeagent.event/1</c> payload, so never rename one.
/// </summary>
public sealed record DriftSeries(string Name, string Label, Func<Verdict, double?> Read)
{
    /// <summary>Every watched series, in the order the trend page shows them.</summary>
    public static IReadOnlyList<DriftSeries> All { get; } =
    [
        // OK pairs only, over the threshold (a new threshold or model does not read as drift by itself): the few NG pairs
        // are the process's defects, not the box's drift, and their scores far above the threshold made the average
        // heavy-tailed enough to cross L 5.5 limits twice in 100,000 stable bench pairs.
        new("score", "score / threshold of OK pairs", v => v is { Outcome: VerdictKind.Ok, Score: { } s, Threshold: > 0 and var t } ? s / t : null),
        new("alignConfidence", "alignment confidence", v => v.Alignment?.Confidence),
        new("alignResidual", "alignment residual, px", v => v.Alignment?.ResidualPx),
        new("oodTemplate", "OOD distance, template", v => v.Ood?.Template),
        new("oodImage", "OOD distance, image", v => v.Ood?.Image),
        new("brightness", "brightness, image / template", v => v.Photometry?.Brightness),
        new("contrast", "contrast, image / template", v => v.Photometry?.Contrast),
    ];

    /// <summary>The series named <paramref name="name"/>, or null.</summary>
    public static DriftSeries? Named(string name) => All.FirstOrDefault(s => s.Name == name);
}
