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
    /// <summary>The stored heatmaps of the pair's other models with a map (<c>heatmap-2</c>, <c>heatmap-3</c>, … in the verdict's order).</summary>
    public IReadOnlyList<byte[]> MoreHeatmaps { get; init; } = [];

    /// <summary>The picture named in a URL (<c>template</c>, <c>image</c>, <c>overlay</c>, <c>heatmap</c>, <c>heatmap-N</c>), or null.</summary>
    public byte[]? Named(string name) => name switch
    {
        "template" => Template,
        "image" => Image,
        "overlay" => Overlay,
        "heatmap" => Heatmap,
        _ when name.StartsWith("heatmap-", StringComparison.Ordinal) && int.TryParse(name.AsSpan(8), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            && n >= 2 && n - 2 < MoreHeatmaps.Count => MoreHeatmaps[n - 2],
        _ => null,
    };
}
