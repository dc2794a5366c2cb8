namespace EdgeAgent.Vision.Synthetic;

/// <summary>The defect names written to labels.csv; "none" marks an OK pair.</summary>
public static class DefectKinds
{
    public const string None = "none";
    public const string Particle = "particle";
    public const string Scratch = "scratch";
    public const string Missing = "missing";
    public const string Extra = "extra";
    public const string Stain = "stain";
    public const string Patch = "patch";

    /// <summary>Every kind an NG pair can carry.</summary>
    public static IReadOnlyList<string> All { get; } = [Particle, Scratch, Missing, Extra, Stain, Patch];
}
