namespace EdgeAgent.Vision.Synthetic;

/// <summary>
/// One row of labels.csv: what was generated and the true image→template transform, in the convention
/// of <see cref="EdgeAgent.Align.Alignment"/>. Paths are relative to the dataset root with '/' separators;
/// <see cref="MaskPath"/> is empty for OK pairs and for datasets written before masks existed.
/// </summary>
public sealed record SyntheticPairTruth(
    string Product,
    string Id,
    string ImagePath,
    string TemplatePath,
    bool IsDefective,
    string DefectKind,
    double Dx,
    double Dy,
    double AngleDeg,
    string MaskPath = "");
