using System.ComponentModel.DataAnnotations;

namespace EdgeAgent.Decisions;

/// <summary>Configuration section <c>Review</c>: the operators' review queue.</summary>
public sealed class ReviewOptions
{
    /// <summary>The section name in configuration.</summary>
    public const string Section = "Review";

    /// <summary>
    /// Share of OK and NG verdicts also put in the review queue for spot checks (0 = none). Chosen from the verdict's
    /// id, so the same pairs are picked after a restart.
    /// </summary>
    [Range(0.0, 1.0)]
    public double SpotCheckRate { get; set; } = 0.02;

    /// <summary>
    /// An undecided REVIEW verdict stays in the journal (not archived, so it can still be decided) this long after it
    /// was judged; then it is archived like any other and can no longer be decided.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "90.00:00:00")]
    public TimeSpan HoldFor { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Defect classes a person may choose, besides the class names the pair's models reported. The default is the
    /// bundled classifier's defect classes plus <c>other</c>.
    /// </summary>
    public IList<string> DefectClasses { get; set; } = ["particle", "scratch", "missing", "extra", "stain", "patch", "other"];
}
