using System.Text.Json.Serialization;

namespace EdgeAgent.Align;

/// <summary>
/// The rigid transform from the AOI image to its template, as the verdict reports it.
/// A point at (x, y) relative to the image centre lies at R(angle)·(x, y) + (dx, dy) relative to the
/// template centre; the angle is in degrees, counter-clockwise as displayed (image y axis down), which
/// is OpenCV's <c>getRotationMatrix2D</c> convention.
/// </summary>
/// <param name="Dx">Shift in template pixels along x.</param>
/// <param name="Dy">Shift in template pixels along y.</param>
/// <param name="AngleDeg">Rotation in degrees, counter-clockwise as displayed.</param>
/// <param name="Confidence">0..1: how far the estimate can be trusted (1 = unambiguous, well-textured match).</param>
public sealed record Alignment(double Dx, double Dy, [property: JsonPropertyName("angle")] double AngleDeg, double Confidence)
{
    /// <summary>
    /// The misregistration still left after alignment, in template pixels: the largest displacement, at the corners of
    /// the model's crop, that a local re-registration of the aligned image against the template finds. Null when the
    /// pair was not aligned (the caller stated it is registered). The lab's AP fell from 0.932 at 1–2 px to 0.723 at 4–8 px.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? ResidualPx { get; init; }

    /// <summary>
    /// True when distinct placements (on a periodic layout, whole pitches apart) matched nearly equally well and the
    /// AOI's own registration could not choose between them either; null when the pair was not aligned.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Ambiguous { get; init; }

    /// <summary>The identity, used when the caller states the pair is already registered.</summary>
    public static Alignment Identity { get; } = new(0, 0, 0, 1);

    /// <summary>Maps a point from image coordinates to template coordinates (both top-left origin).</summary>
    public (double X, double Y) ImageToTemplate(double x, double y, double centreX, double centreY)
    {
        var (sin, cos) = Math.SinCos(AngleDeg * Math.PI / 180);
        double rx = x - centreX, ry = y - centreY;
        return (cos * rx + sin * ry + centreX + Dx, -sin * rx + cos * ry + centreY + Dy);
    }

    /// <summary>Maps a point from template coordinates back to the AOI image's own coordinates.</summary>
    public (double X, double Y) TemplateToImage(double x, double y, double centreX, double centreY)
    {
        var (sin, cos) = Math.SinCos(AngleDeg * Math.PI / 180);
        double tx = x - centreX - Dx, ty = y - centreY - Dy;
        return (cos * tx - sin * ty + centreX, sin * tx + cos * ty + centreY);
    }
}
