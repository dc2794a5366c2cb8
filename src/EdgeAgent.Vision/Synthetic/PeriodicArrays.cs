using OpenCvSharp;

namespace EdgeAgent.Vision.Synthetic;

/// <summary>
/// The periodic part of a layout. On its own it would let a registration lock onto any whole pitch,
/// which is exactly the failure the aligner must avoid; the non-periodic features break the tie.
/// </summary>
internal static class PeriodicArrays
{
    /// <summary>Bumps (balls with a specular highlight) or rounded-square UBM pads on a square or staggered lattice.</summary>
    public static void DrawBumpArray(Mat labels, Random random, int pitch)
    {
        var radius = Math.Max(4, (int)(pitch * (0.22 + (0.12 * random.NextDouble()))));
        var roundedSquares = random.NextDouble() < 0.4;
        var staggered = random.NextDouble() < 0.4;
        int phaseX = random.Next(pitch), phaseY = random.Next(pitch);
        var bump = new Scalar((int)Material.Bump);
        var highlight = new Scalar((int)Material.BumpHighlight);
        int rows = labels.Rows, cols = labels.Cols;
        for (int row = 0, y = phaseY - pitch; y < rows + pitch; row++, y += pitch)
        {
            var rowShift = staggered && row % 2 == 1 ? pitch / 2 : 0;
            for (var x = phaseX - pitch + rowShift; x < cols + pitch; x += pitch)
            {
                if (roundedSquares)
                {
                    DrawRoundedSquare(labels, new Point(x, y), radius, bump);
                    continue;
                }

                Cv2.Circle(labels, new Point(x, y), radius, bump, -1, LineTypes.Link8);
                var offset = radius / 3;
                Cv2.Circle(labels, new Point(x - offset, y - offset), Math.Max(2, radius / 3), highlight, -1, LineTypes.Link8);
            }
        }
    }

    /// <summary>
    /// BGA solder balls: large spheres in solder-mask openings, seen from above under ring light. The opening
    /// shows a rim of pad metal, the ball's flanks tilt the light away from the lens (a dark rim), and the ring
    /// light comes back from the cap as a bright ring around a plain centre: a look neither bumps nor
    /// gratings have.
    /// </summary>
    public static void DrawBallArray(Mat labels, Random random, int pitch)
    {
        var radius = Math.Max(5, (int)(pitch * (0.35 + (0.07 * random.NextDouble()))));
        var opening = radius + Math.Max(2, pitch / 16);
        var staggered = random.NextDouble() < 0.25;
        int phaseX = random.Next(pitch), phaseY = random.Next(pitch);
        var ringRadius = Math.Max(2, (int)(radius * 0.55));
        var ringWidth = Math.Max(2, radius / 5);
        int rows = labels.Rows, cols = labels.Cols;
        for (int row = 0, y = phaseY - pitch; y < rows + pitch; row++, y += pitch)
        {
            var rowShift = staggered && row % 2 == 1 ? pitch / 2 : 0;
            for (var x = phaseX - pitch + rowShift; x < cols + pitch; x += pitch)
            {
                var at = new Point(x, y);
                Cv2.Circle(labels, at, opening, new Scalar((int)Material.PadOpening), -1, LineTypes.Link8);
                Cv2.Circle(labels, at, radius, new Scalar((int)Material.BallRim), -1, LineTypes.Link8);
                Cv2.Circle(labels, at, (int)(radius * 0.8), new Scalar((int)Material.Bump), -1, LineTypes.Link8);
                Cv2.Circle(labels, at, ringRadius, new Scalar((int)Material.BumpHighlight), ringWidth, LineTypes.Link8);
            }
        }
    }

    /// <summary>Parallel metal lines with vias, cut at random places as routed metal is.</summary>
    public static void DrawMetalGrating(Mat labels, Random random, int pitch)
    {
        var width = Math.Max(4, (int)(pitch * (0.3 + (0.2 * random.NextDouble()))));
        var horizontal = random.NextDouble() < 0.5;
        var viaEvery = random.Next(2, 5);
        var phase = random.Next(pitch);
        var length = horizontal ? labels.Cols : labels.Rows;
        var across = horizontal ? labels.Rows : labels.Cols;
        var trace = new Scalar((int)Material.Trace);
        var gap = new Scalar((int)Material.Passivation);
        var via = new Scalar((int)Material.Via);
        for (var c = phase - pitch; c < across + pitch; c += pitch)
        {
            FillAlong(labels, horizontal, 0, length, c, width, trace);
            for (var cuts = random.Next(0, 3); cuts > 0; cuts--)
            {
                var at = random.Next(length);
                FillAlong(labels, horizontal, at, at + random.Next(8, 40), c, width + 2, gap);
            }

            var viaSize = Math.Max(3, width / 2);
            for (var v = phase; v < length; v += pitch * viaEvery)
            {
                FillAlong(labels, horizontal, v - (viaSize / 2), v + (viaSize / 2), c, viaSize, via);
            }
        }
    }

    private static void FillAlong(Mat labels, bool horizontal, int from, int to, int centre, int thickness, Scalar value)
    {
        var top = centre - (thickness / 2);
        var rect = horizontal
            ? new Rect(from, top, to - from, thickness)
            : new Rect(top, from, thickness, to - from);
        Cv2.Rectangle(labels, rect, value, -1, LineTypes.Link8);
    }

    private static void DrawRoundedSquare(Mat labels, Point centre, int half, Scalar value)
    {
        var corner = Math.Max(2, half / 2);
        var inner = half - corner;
        Cv2.Rectangle(labels, new Rect(centre.X - half, centre.Y - inner, 2 * half, 2 * inner), value, -1, LineTypes.Link8);
        Cv2.Rectangle(labels, new Rect(centre.X - inner, centre.Y - half, 2 * inner, 2 * half), value, -1, LineTypes.Link8);
        foreach (var (sx, sy) in (ReadOnlySpan<(int, int)>)[(-1, -1), (1, -1), (-1, 1), (1, 1)])
        {
            Cv2.Circle(labels, new Point(centre.X + (sx * inner), centre.Y + (sy * inner)), corner, value, -1, LineTypes.Link8);
        }
    }
}
