using EdgeAgent.Storage.Log;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Align;
using EdgeAgent.Vision.Crop;
using EdgeAgent.Vision.Decode;
using EdgeAgent.Vision.Heatmap;
using Microsoft.Extensions.Caching.Memory;
using OpenCvSharp;

namespace EdgeAgent.Dashboard.Pictures;

/// <summary>
/// Renders a verdict's pictures server-side, as the model saw the pair: the centre window the stored heatmap covers,
/// the image warped into the template's frame with the verdict's own alignment, the overlay in the colour scale of
/// <see cref="HeatmapRenderer"/>. Files are read with the agent's safe reader (limits, end markers) and must still
/// hash to what was judged. The last few sets are cached: a detail view asks for three pictures of one pair.
/// </summary>
public sealed class VerdictPictures(VerdictFiles files, DecodeLimits limits) : IDisposable
{
    /// <summary>Side of the enlarged stored heatmap.</summary>
    public const int HeatmapSide = 256;

    private readonly ImageFileReader _reader = new(limits);

    // Only the warp is used, which reads no alignment option.
    private readonly ImageAligner _aligner = new(new AlignmentOptions());
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 24 });

    /// <summary>The pictures of <paramref name="stored"/>, rendered on first use.</summary>
    public PictureSet For(StoredVerdict stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return _cache.GetOrCreate(stored.Verdict.Id, entry =>
        {
            entry.Size = 1;
            entry.SlidingExpiration = TimeSpan.FromMinutes(10);
            return Render(stored);
        })!;
    }

    /// <summary>A stored heatmap coloured at <paramref name="side"/>² (the table's thumbnails use the stored 64²).</summary>
    public static byte[] HeatmapPng(VerdictHeatmap heatmap, int side)
    {
        using var levels = HeatmapRenderer.LevelsMat(heatmap);
        using var colour = HeatmapRenderer.Colourise(levels, side);
        return Png(colour);
    }

    /// <inheritdoc/>
    public void Dispose() => _cache.Dispose();

    private PictureSet Render(StoredVerdict stored) => Pictures(stored) with
    {
        MoreHeatmaps = [.. stored.Heatmaps.Skip(1).Select(h => HeatmapPng(h.Map, HeatmapSide))],
    };

    private PictureSet Pictures(StoredVerdict stored)
    {
        var verdict = stored.Verdict;
        var heatmap = stored.Heatmap is { } h ? HeatmapPng(h, HeatmapSide) : null;
        if (verdict.Template is null)
        {
            return new PictureSet(null, null, null, heatmap, "no template was judged with this image");
        }

        var imagePath = files.Locate(verdict.Image.Path, verdict.Outcome);
        var templatePath = files.Locate(verdict.Template.Path, verdict.Outcome);
        if (imagePath is null || templatePath is null)
        {
            var gone = imagePath is null ? verdict.Image.Path : verdict.Template.Path;
            return new PictureSet(null, null, null, heatmap, $"{gone} is no longer on disk (nor in done/, review/ or quarantine/)");
        }

        using var image = _reader.Read(imagePath, ImreadModes.Color);
        using var template = _reader.Read(templatePath, ImreadModes.Grayscale);
        var problem = Problem(image, verdict.Image, "image") ?? Problem(template, verdict.Template, "template");
        if (problem is null && image.Mat!.Size() != template.Mat!.Size())
        {
            problem = "the template differs in size from the image (a golden-image template is not shown)";
        }

        if (problem is not null)
        {
            return new PictureSet(null, null, null, heatmap, problem);
        }

        var size = image.Mat!.Size();
        var side = Math.Min(size.Width, size.Height);
        var window = CentreCrop.Window(size, Math.Min(stored.Heatmap?.Crop ?? side, side));
        using var aligned = verdict.Alignment is { } a ? _aligner.WarpWindowToTemplate(image.Mat, a, window) : new Mat(image.Mat, window).Clone();
        using var templateCrop = new Mat(template.Mat!, window);
        byte[]? overlay = null;
        if (stored.Heatmap is { } map)
        {
            using var levels = HeatmapRenderer.LevelsMat(map);
            using var blended = HeatmapRenderer.Overlay(aligned, levels);
            DrawRegions(blended, verdict, window);
            overlay = Png(blended);
        }

        return new PictureSet(Png(templateCrop), Png(aligned), overlay, heatmap, null);
    }

    // The defect regions a segmenter found, as white boxes on the overlay (template frame, shifted to the window).
    private static void DrawRegions(Mat overlay, Verdict verdict, Rect window)
    {
        foreach (var box in (verdict.Models ?? []).SelectMany(m => m.Regions ?? []).Select(r => r.Template))
        {
            var rect = new Rect((int)Math.Floor(box.X) - window.X, (int)Math.Floor(box.Y) - window.Y, (int)Math.Ceiling(box.Width), (int)Math.Ceiling(box.Height));
            Cv2.Rectangle(overlay, rect, Scalar.White, 2);
        }
    }

    // A file the AOI rewrote since is another pair's picture: showing it under this verdict would mislead.
    private static string? Problem(DecodedImage decoded, SourceFile judged, string role) =>
        decoded.Mat is null ? $"the {role} cannot be read now: {decoded.Detail}"
        : judged.Sha256 is { } sha && !string.Equals(decoded.Sha256, sha, StringComparison.OrdinalIgnoreCase) ? $"the {role} file on disk has changed since it was judged"
        : null;

    private static byte[] Png(Mat mat)
    {
        Cv2.ImEncode(".png", mat, out var png);
        return png;
    }
}
