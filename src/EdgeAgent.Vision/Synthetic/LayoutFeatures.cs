using OpenCvSharp;

namespace EdgeAgent.Vision.Synthetic;

/// <summary>
/// The non-periodic structure of a layout. Every feature first clears a keep-out zone in the array,
/// as design rules do, so features read as distinct shapes rather than blending into the lattice.
/// </summary>
internal sealed class LayoutFeatures(Mat labels, Random random, Point centre, int visibleHalf)
{
    private static readonly Scalar KeepOut = new((int)Material.Passivation);
    private static readonly string[] Glyphs = ["A", "B", "C", "E", "F", "H", "K", "R", "0", "1", "2", "4", "7", "9"];

    public void DrawLargePads(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var at = SomewhereVisible();
            var gap = random.Next(6, 12);
            var pad = new Scalar((int)Material.LargePad);
            if (random.NextDouble() < 0.3)
            {
                var radius = random.Next(22, 50);
                Cv2.Circle(labels, at, radius + gap, KeepOut, -1, LineTypes.Link8);
                Cv2.Circle(labels, at, radius, pad, -1, LineTypes.Link8);
                continue;
            }

            var rect = new Rect(at.X, at.Y, random.Next(40, 110), random.Next(40, 110));
            Cv2.Rectangle(labels, Inflate(rect, gap), KeepOut, -1, LineTypes.Link8);
            Cv2.Rectangle(labels, rect, pad, -1, LineTypes.Link8);
        }
    }

    /// <summary>RDL traces: polylines with Manhattan and 45° bends, one leg at an arbitrary angle.</summary>
    public void DrawTraces(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var points = new List<Point> { SomewhereVisible() };
            var free = random.Next(3);
            for (int leg = 0, legs = random.Next(2, 5); leg < legs; leg++)
            {
                var angle = leg == free ? random.NextDouble() * Math.PI : random.Next(8) * Math.PI / 4;
                var length = random.Next(60, 250);
                var last = points[^1];
                points.Add(new Point(last.X + (int)(length * Math.Cos(angle)), last.Y + (int)(length * Math.Sin(angle))));
            }

            var width = random.Next(5, 15);
            Cv2.Polylines(labels, [points], false, KeepOut, width + (2 * random.Next(4, 9)), LineTypes.Link8);
            Cv2.Polylines(labels, [points], false, new Scalar((int)Material.Trace), width, LineTypes.Link8);
        }
    }

    /// <summary>Fiducial crosses, L-marks and short engraved codes.</summary>
    public void DrawMarks(int count)
    {
        var mark = new Scalar((int)Material.Mark);
        for (var i = 0; i < count; i++)
        {
            var at = SomewhereVisible();
            var arm = random.Next(12, 26);
            var thickness = random.Next(3, 6);
            Cv2.Rectangle(labels, Inflate(new Rect(at.X - arm, at.Y - arm, 2 * arm, 2 * arm), 8), KeepOut, -1, LineTypes.Link8);
            switch (random.Next(3))
            {
                case 0:
                    Cv2.Line(labels, at with { X = at.X - arm }, at with { X = at.X + arm }, mark, thickness, LineTypes.Link8);
                    Cv2.Line(labels, at with { Y = at.Y - arm }, at with { Y = at.Y + arm }, mark, thickness, LineTypes.Link8);
                    break;
                case 1:
                    Cv2.Line(labels, at, at with { X = at.X + arm }, mark, thickness, LineTypes.Link8);
                    Cv2.Line(labels, at, at with { Y = at.Y - arm }, mark, thickness, LineTypes.Link8);
                    break;
                default:
                    DrawCode(at, arm / 28.0 + 0.3, mark);
                    break;
            }
        }
    }

    private void DrawCode(Point at, double scale, Scalar mark)
    {
        var text = string.Concat(Enumerable.Range(0, 3).Select(_ => Glyphs[random.Next(Glyphs.Length)]));
        var size = Cv2.GetTextSize(text, HersheyFonts.HersheySimplex, scale, 2, out var baseline);
        var origin = new Point(at.X - (size.Width / 2), at.Y + (size.Height / 2));
        var box = new Rect(origin.X, origin.Y - size.Height, size.Width, size.Height + baseline);
        Cv2.Rectangle(labels, Inflate(box, 8), KeepOut, -1, LineTypes.Link8);
        Cv2.PutText(labels, text, origin, HersheyFonts.HersheySimplex, scale, mark, 2, LineTypes.Link8);
    }

    private Point SomewhereVisible() => new(
        centre.X + random.Next(-visibleHalf + 20, visibleHalf - 20),
        centre.Y + random.Next(-visibleHalf + 20, visibleHalf - 20));

    private static Rect Inflate(Rect rect, int by) =>
        new(rect.X - by, rect.Y - by, rect.Width + (2 * by), rect.Height + (2 * by));
}
