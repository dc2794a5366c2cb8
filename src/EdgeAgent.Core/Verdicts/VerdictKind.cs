using System.Text.Json.Serialization;

namespace EdgeAgent.Verdicts;

/// <summary>What the agent says about one pair. Only <see cref="Ok"/> lets a suspect pass unseen.</summary>
public enum VerdictKind
{
    /// <summary>Overkill: the suspect is a good die.</summary>
    [JsonStringEnumMemberName("OK")]
    Ok,

    /// <summary>A real defect: score at or above the threshold.</summary>
    [JsonStringEnumMemberName("NG")]
    Ng,

    /// <summary>The agent cannot vouch for a verdict (e.g. untrusted alignment, inference failure): a person looks.</summary>
    [JsonStringEnumMemberName("REVIEW")]
    Review,

    /// <summary>The input itself is unusable (corrupt, missing template, wrong size).</summary>
    [JsonStringEnumMemberName("ERROR")]
    Error,
}
