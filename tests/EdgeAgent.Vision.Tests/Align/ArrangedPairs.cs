using EdgeAgent.Vision.Synthetic;
using OpenCvSharp;

namespace EdgeAgent.Vision.Tests.Align;

/// <summary>
/// Pairs arranged from generated ones for what the generator never draws on its own: a stretch of array with no
/// non-periodic feature at all (registration can only be known up to a pitch), and a magnification mismatch between
/// the two captures (no rigid transform fits everywhere). Shared with the pipeline tests.
/// </summary>
public static class ArrangedPairs
{
    /// <summary>
    /// A <paramref name="side"/>² pair of nothing but a square array of pitch <paramref name="pitch"/>: one clean cell of
    /// a generated layout, tiled. The image shows at x what the template shows at x + (dx, dy), so any (dx + k·pitch,
    /// dy + l·pitch) is an equally true alignment. The caller disposes both.
    /// </summary>
    public static (Mat Image, Mat Template) FeaturelessArray(string product, int pitch, int dx, int dy, int side = 320)
    {
        for (var seed = 1; seed < 40; seed++)
        {
            using var pair = new AoiPairGenerator(seed, 600, new PitchRange(pitch, pitch)).Next(false, 0, 0, 0, product);
            if (CleanCell(pair.Template, pitch) is not { } cell)
            {
                continue;
            }

            using var templateCell = new Mat(pair.Template, cell);
            using var imageCell = new Mat(pair.Image, cell);
            var cells = (side / pitch) + 2;
            using var templateTiles = templateCell.Repeat(cells, cells);
            using var imageTiles = imageCell.Repeat(cells, cells);
            int ox = ((dx % pitch) + pitch) % pitch, oy = ((dy % pitch) + pitch) % pitch;
            using var template = new Mat(templateTiles, new Rect(0, 0, side, side));
            using var image = new Mat(imageTiles, new Rect(ox, oy, side, side));
            return (image.Clone(), template.Clone());
        }

        throw new InvalidOperationException($"no generated {product} layout of pitch {pitch} had a clean square cell");
    }

    /// <summary>The image magnified by <paramref name="factor"/> about its centre (reflect border); the caller disposes it.</summary>
    public static Mat Magnified(Mat image, double factor)
    {
        var centre = new Point2f((image.Cols - 1) / 2f, (image.Rows - 1) / 2f);
        using var matrix = Cv2.GetRotationMatrix2D(centre, 0, factor);
        var output = new Mat();
        Cv2.WarpAffine(image, output, matrix, image.Size(), InterpolationFlags.Linear, BorderTypes.Reflect101);
        return output;
    }

    // The pitch×pitch cell that repeats best one pitch to the right and one pitch down (no pad, trace, mark or street
    // near it, and a square lattice), or null when even the best one differs by more than sensor noise.
    private static Rect? CleanCell(Mat template, int pitch)
    {
        var best = (Score: double.MaxValue, Cell: default(Rect));
        int rows = template.Rows, cols = template.Cols;
        for (var y = 0; y + (2 * pitch) <= rows; y += 4)
        {
            for (var x = 0; x + (2 * pitch) <= cols; x += 4)
            {
                var cell = new Rect(x, y, pitch, pitch);
                var score = Math.Max(Difference(template, cell, cell with { X = x + pitch }), Difference(template, cell, cell with { Y = y + pitch }));
                if (score < best.Score)
                {
                    best = (score, cell);
                }
            }
        }

        return best.Score < 8 ? best.Cell : null;
    }

    private static double Difference(Mat image, Rect a, Rect b)
    {
        using var first = new Mat(image, a);
        using var second = new Mat(image, b);
        using var difference = new Mat();
        Cv2.Absdiff(first, second, difference);
        return Cv2.Mean(difference).Val0;
    }
}
