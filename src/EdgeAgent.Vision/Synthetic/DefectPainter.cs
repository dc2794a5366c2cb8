using OpenCvSharp;

namespace EdgeAgent.Vision.Synthetic;

/// <summary>A painted defect: its kind, and a circle (canvas coordinates) that contains it.</summary>
internal sealed record PaintedDefect(string Kind, Point Centre, double Radius);

/// <summary>
/// Paints one defect into the colour canvas only, so the template stays golden. Contrast and size are
/// drawn from ranges that include subtle cases, but every defect stays visible to a person.
/// Each painter also fills the shape it painted into <c>shape</c> (CV_8UC1, canvas-sized, 255 = painted):
/// a defect whose colour happens to match its surroundings changes few canvas pixels, yet it is still
/// where the defect is. Drawing the shape never draws from <c>random</c>, so the pairs stay what they were.
/// </summary>
internal sealed class DefectPainter(Mat canvasBgr, Mat labels, MaterialPalette palette, Random random, Mat shape)
{
    public PaintedDefect Paint(Point at)
    {
        var materials = new MaterialDefects(canvasBgr, labels, palette, random, shape);
        return DefectKinds.All[random.Next(DefectKinds.All.Count)] switch
        {
            DefectKinds.Particle => Particle(at),
            DefectKinds.Scratch => Scratch(at),
            DefectKinds.Missing => materials.Missing(at) ?? Particle(at),
            DefectKinds.Extra => materials.Extra(at),
            DefectKinds.Stain => Stain(at),
            _ => materials.Patch(at),
        };
    }

    /// <summary>A dark or bright irregular blob, 8–30 px across.</summary>
    private PaintedDefect Particle(Point at)
    {
        var radius = 4 + (11 * random.NextDouble());
        var vertices = random.Next(7, 12);
        var outline = new Point[vertices];
        for (var i = 0; i < vertices; i++)
        {
            var angle = 2 * Math.PI * i / vertices;
            var r = radius * (0.6 + (0.4 * random.NextDouble()));
            outline[i] = new Point(at.X + (int)Math.Round(r * Math.Cos(angle)), at.Y + (int)Math.Round(r * Math.Sin(angle)));
        }

        var dark = random.NextDouble() < 0.6;
        var level = dark ? random.Next(15, 70) : random.Next(200, 250);
        var tint = new Scalar(level, level + random.Next(-10, 11), level + random.Next(0, 20));
        Cv2.FillPoly(canvasBgr, [outline], tint, LineTypes.AntiAlias);
        Cv2.FillPoly(shape, [outline], Scalar.All(255), LineTypes.Link8);
        return new PaintedDefect(DefectKinds.Particle, at, radius);
    }

    /// <summary>A thin curved line, 25–60 px long, darker or brighter than its surroundings.</summary>
    private PaintedDefect Scratch(Point at)
    {
        var halfLength = 12.5 + (17.5 * random.NextDouble());
        var angle = random.NextDouble() * Math.PI;
        var bow = halfLength * (random.NextDouble() - 0.5);
        var (sin, cos) = Math.SinCos(angle);
        var points = new Point[16];
        for (var i = 0; i < points.Length; i++)
        {
            // A quadratic bow across the line's normal: scratches from handling are rarely straight.
            var t = (2.0 * i / (points.Length - 1)) - 1;
            var along = t * halfLength;
            var across = bow * (1 - (t * t));
            points[i] = new Point(at.X + (int)Math.Round((along * cos) - (across * sin)), at.Y + (int)Math.Round((along * sin) + (across * cos)));
        }

        // Mostly 2–3 px wide; the 1 px ones are the subtle cases.
        var level = random.NextDouble() < 0.5 ? random.Next(10, 50) : random.Next(210, 255);
        var width = random.NextDouble() < 0.25 ? 1 : random.Next(2, 4);
        Cv2.Polylines(canvasBgr, [points], false, new Scalar(level, level, level), width, LineTypes.AntiAlias);
        Cv2.Polylines(shape, [points], false, Scalar.All(255), width, LineTypes.Link8);
        return new PaintedDefect(DefectKinds.Scratch, at, halfLength + 2);
    }

    /// <summary>A translucent, soft-edged colour blotch 20–60 px across (residue, discolouration).</summary>
    private PaintedDefect Stain(Point at)
    {
        var axes = new Size(random.Next(10, 30), random.Next(8, 24));
        var extent = Math.Max(axes.Width, axes.Height) + 6;
        var box = new Rect(at.X - extent, at.Y - extent, 2 * extent, 2 * extent);
        using var alpha = new Mat(box.Size, MatType.CV_32FC1, Scalar.All(0));
        var strength = 0.3 + (0.25 * random.NextDouble());
        var tilt = random.Next(180);
        Cv2.Ellipse(alpha, new Point(extent, extent), axes, tilt, 0, 360, Scalar.All(strength), -1, LineTypes.AntiAlias);
        // The unblurred ellipse is the stain; its blurred fringe counts only where it shows (the canvas diff).
        Cv2.Ellipse(shape, at, axes, tilt, 0, 360, Scalar.All(255), -1, LineTypes.Link8);
        Cv2.GaussianBlur(alpha, alpha, new Size(0, 0), Math.Min(axes.Width, axes.Height) / 3.0);
        var colour = random.Next(3) switch
        {
            0 => new Scalar(40, 80, 150),   // brown residue
            1 => new Scalar(170, 110, 60),  // bluish oxide
            _ => new Scalar(60, 170, 170),  // yellowish flux
        };
        MaterialDefects.Blend(canvasBgr, box, alpha, colour);
        return new PaintedDefect(DefectKinds.Stain, at, extent);
    }
}
