using OpenCvSharp;

namespace EdgeAgent.Vision.Synthetic;

/// <summary>
/// Defects that depend on the layout: material removed, material added, a patch moved. Like
/// <see cref="DefectPainter"/>, each fills what it painted into <c>shape</c> without drawing from <c>random</c>.
/// </summary>
internal sealed class MaterialDefects(Mat canvasBgr, Mat labels, MaterialPalette palette, Random random, Mat shape)
{
    /// <summary>Part of a bump, pad or trace erased to passivation; null when no metal lies near enough.</summary>
    public PaintedDefect? Missing(Point at)
    {
        if (NearestMetal(at, 40) is not { } seed)
        {
            return null;
        }

        // The erased area is the seed's connected feature cut by a disc, so a long trace loses a piece
        // rather than vanishing, and the neighbouring feature is untouched.
        var radius = random.Next(8, 26);
        var box = new Rect(seed.X - radius - 2, seed.Y - radius - 2, (2 * radius) + 4, (2 * radius) + 4);
        using var feature = new Mat(box.Height + 2, box.Width + 2, MatType.CV_8UC1, Scalar.All(0));
        using (var metal = MetalMask(box))
        {
            Cv2.FloodFill(metal, feature, new Point(seed.X - box.X, seed.Y - box.Y), Scalar.All(0), out _,
                Scalar.All(0), Scalar.All(0), FloodFillFlags.Link8 | FloodFillFlags.MaskOnly | (FloodFillFlags)(255 << 8));
        }

        using var disc = new Mat(box.Size, MatType.CV_8UC1, Scalar.All(0));
        Cv2.Circle(disc, new Point(seed.X - box.X, seed.Y - box.Y), radius, Scalar.All(255), -1, LineTypes.Link8);
        using var inner = new Mat(feature, new Rect(1, 1, box.Width, box.Height));
        Cv2.BitwiseAnd(disc, inner, disc);
        // Grow by a pixel so the soft edge of the erased metal does not survive as a ghost outline.
        Cv2.Dilate(disc, disc, null);
        using var target = new Mat(canvasBgr, box);
        target.SetTo(palette.BgrOf(Material.Passivation), disc);
        using (var painted = new Mat(shape, box))
        {
            painted.SetTo(Scalar.All(255), disc);
        }

        return new PaintedDefect(DefectKinds.Missing, seed, radius + 2);
    }

    /// <summary>A metal bridge from a feature to its neighbour (a short), or a metal splash on passivation.</summary>
    public PaintedDefect Extra(Point at)
    {
        var metal = palette.BgrOf(random.NextDouble() < 0.5 ? Material.Trace : Material.Bump);
        var start = NearestMetal(at, 30) ?? at;
        // A short joins a feature to its nearest neighbour across the gap, so take the direction in which
        // the next feature is closest; with none within reach it is a splash on the passivation.
        var end = new Point(start.X + random.Next(-12, 13), start.Y + random.Next(-12, 13));
        var best = double.MaxValue;
        var firstDirection = random.Next(8);
        for (var d = 0; d < 8; d++)
        {
            var (sin, cos) = Math.SinCos((firstDirection + d) * Math.PI / 4);
            if (NextFeature(start, cos, sin) is { } hit && hit.DistanceTo(start) < best)
            {
                best = hit.DistanceTo(start);
                end = hit;
            }
        }

        var length = Math.Max(10, end.DistanceTo(start));
        var width = random.Next(4, 10);
        Cv2.Line(canvasBgr, start, end, metal, width, LineTypes.AntiAlias);
        var blob = (width / 2) + random.Next(1, 4);
        Cv2.Circle(canvasBgr, end, blob, metal, -1, LineTypes.AntiAlias);
        Cv2.Line(shape, start, end, Scalar.All(255), width, LineTypes.Link8);
        Cv2.Circle(shape, end, blob, Scalar.All(255), -1, LineTypes.Link8);
        var mid = new Point((start.X + end.X) / 2, (start.Y + end.Y) / 2);
        return new PaintedDefect(DefectKinds.Extra, mid, (length / 2) + width);
    }

    /// <summary>A square patch copied from elsewhere in the same scene and pasted at <paramref name="at"/>.</summary>
    public PaintedDefect Patch(Point at)
    {
        var side = random.Next(16, 46);
        var destination = new Rect(at.X - (side / 2), at.Y - (side / 2), side, side);
        var source = destination;
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var angle = random.NextDouble() * 2 * Math.PI;
            var distance = random.Next(100, 240);
            // Clamped into the canvas: small renders have less room than the distance asks for.
            source = destination with
            {
                X = Math.Clamp(destination.X + (int)(distance * Math.Cos(angle)), 0, labels.Cols - side),
                Y = Math.Clamp(destination.Y + (int)(distance * Math.Sin(angle)), 0, labels.Rows - side),
            };
            // A patch from the same lattice phase would be invisible; insist on a different layout.
            if (LabelDifference(source, destination) > 0.2)
            {
                break;
            }
        }

        using (var from = new Mat(canvasBgr, source))
        using (var to = new Mat(canvasBgr, destination))
        {
            from.CopyTo(to);
        }

        // The whole pasted square is the defect, also where it happens to match what it covered.
        using (var painted = new Mat(shape, destination))
        {
            painted.SetTo(Scalar.All(255));
        }

        return new PaintedDefect(DefectKinds.Patch, at, side * 0.72);
    }

    /// <summary>result = (1 − α)·canvas + α·colour inside <paramref name="box"/>; α is CV_32FC1 of the box's size.</summary>
    public static void Blend(Mat canvas, Rect box, Mat alpha, Scalar colour)
    {
        using var region = new Mat(canvas, box);
        using var region32 = new Mat();
        region.ConvertTo(region32, MatType.CV_32FC3);
        using var alpha3 = new Mat();
        Cv2.Merge([alpha, alpha, alpha], alpha3);
        using var paint = new Mat(box.Size, MatType.CV_32FC3, colour);
        Cv2.Subtract(paint, region32, paint);
        Cv2.Multiply(paint, alpha3, paint);
        Cv2.Add(region32, paint, region32);
        region32.ConvertTo(region, MatType.CV_8UC3);
    }

    private double LabelDifference(Rect a, Rect b)
    {
        using var first = new Mat(labels, a);
        using var second = new Mat(labels, b);
        using var differs = new Mat();
        Cv2.Compare(first, second, differs, CmpTypes.NE);
        return Cv2.CountNonZero(differs) / (a.Width * a.Height);
    }

    // Bumps and their highlights, traces, pads and vias all count as one metal feature.
    private Mat MetalMask(Rect box)
    {
        using var region = new Mat(labels, box);
        var metal = new Mat();
        using var isNot = new Mat();
        Cv2.Compare(region, (int)Material.Passivation, metal, CmpTypes.NE);
        foreach (var other in (ReadOnlySpan<Material>)[Material.Street, Material.Mark])
        {
            Cv2.Compare(region, (int)other, isNot, CmpTypes.NE);
            Cv2.BitwiseAnd(metal, isNot, metal);
        }

        return metal;
    }

    // Marches out of the current feature, across passivation, into the next one (≤ 40 px away).
    private Point? NextFeature(Point start, double cos, double sin)
    {
        var leftMetal = false;
        for (var step = 1; step <= 40; step++)
        {
            var p = new Point(start.X + (int)Math.Round(step * cos), start.Y + (int)Math.Round(step * sin));
            var isMetal = IsMetal(p);
            if (leftMetal && isMetal)
            {
                return p;
            }

            leftMetal |= !isMetal;
        }

        return null;
    }

    private Point? NearestMetal(Point at, int within)
    {
        for (var r = 0; r <= within; r++)
        {
            for (var k = 0; k < Math.Max(1, 8 * r); k++)
            {
                var angle = 2 * Math.PI * k / Math.Max(1, 8 * r);
                var p = new Point(at.X + (int)Math.Round(r * Math.Cos(angle)), at.Y + (int)Math.Round(r * Math.Sin(angle)));
                if (IsMetal(p))
                {
                    return p;
                }
            }
        }

        return null;
    }

    private bool IsMetal(Point p) =>
        (Material)labels.At<byte>(p.Y, p.X) is not (Material.Passivation or Material.Street or Material.Mark);
}
