namespace EdgeAgent.Dashboard.Pictures;

/// <summary>
/// The PNGs of one verdict's detail view: template crop | aligned image crop | heatmap overlay when the AOI files
/// are still on disk (and still the bytes that were judged), and the stored heatmap on its own in any case.
/// </summary>
/// <param name="Template">The template's centre crop, gray.</param>
/// <param name="Image">The image's centre crop warped into the template's frame with the verdict's alignment.</param>
/// <param name="Overlay">The aligned crop blended with the heatmap.</param>
/// <param name="Heatmap">The stored 64×64 heatmap, coloured and enlarged; null when the pair was never scored.</param>
/// <param name="Missing">Why the AOI pictures cannot be shown; null when they can.</param>
public sealed record PictureSet(byte[]? Template, byte[]? Image, byte[]? Overlay, byte[]? Heatmap, string? Missing)
{
    /// <summary>The picture named in a URL (<c>template</c>, <c>image</c>, <c>overlay</c>, <c>heatmap</c>), or null.</summary>
    public byte[]? Named(string name) => name switch
    {
        "template" => Template,
        "image" => Image,
        "overlay" => Overlay,
        "heatmap" => Heatmap,
        _ => null,
    };
}
