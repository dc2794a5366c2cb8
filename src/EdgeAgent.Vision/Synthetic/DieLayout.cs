using OpenCvSharp;

namespace EdgeAgent.Vision.Synthetic;

/// <summary>
/// Draws a wafer-level-packaging die area as a map of <see cref="Material"/> ids: a periodic array
/// (bumps for UBM-like products, a metal grating for M-layer products, solder balls on solder mask for BGA
/// products) overlaid with non-periodic structure (large pads, RDL traces, marks, a scribe street) that
/// makes registration unambiguous.
/// </summary>
internal static class DieLayout
{
    /// <summary>Renders the layout into <paramref name="labels"/> (CV_8UC1, already allocated) and returns the array's pitch.</summary>
    /// <param name="labels">The canvas, CV_8UC1, already allocated.</param>
    /// <param name="product">Chooses the layout family.</param>
    /// <param name="random">The generator's seeded randomness.</param>
    /// <param name="visibleHalf">Half side of the area the template will show, around the canvas centre.</param>
    /// <param name="pitchRange">The range the array's pitch is drawn from.</param>
    public static int Render(Mat labels, string product, Random random, int visibleHalf, PitchRange pitchRange)
    {
        labels.SetTo(new Scalar((int)Material.Passivation));
        var pitch = pitchRange.Draw(random);
        var ballArray = IsBallArray(product);
        if (IsMetalLayer(product))
        {
            PeriodicArrays.DrawMetalGrating(labels, random, pitch);
        }
        else if (ballArray)
        {
            PeriodicArrays.DrawBallArray(labels, random, pitch);
        }
        else
        {
            PeriodicArrays.DrawBumpArray(labels, random, pitch);
        }

        var centre = new Point(labels.Cols / 2, labels.Rows / 2);
        var features = new LayoutFeatures(labels, random, centre, visibleHalf);
        features.DrawLargePads(random.Next(1, 4));
        // A BGA substrate routes under its solder mask, so few traces show; the balls dominate the view.
        features.DrawTraces(ballArray ? random.Next(0, 3) : random.Next(3, 7));
        features.DrawMarks(random.Next(2, 5));
        DrawStreets(labels, random, centre, visibleHalf);
        return pitch;
    }

    /// <summary>M1, M2, ... are metal (RDL) layers drawn as traces; everything else as a bump/pad layer.</summary>
    public static bool IsMetalLayer(string product) =>
        product.Length >= 2 && char.ToUpperInvariant(product[0]) == 'M' && char.IsAsciiDigit(product[1]);

    /// <summary>BGA, BGA2, ... are ball-grid packages: large solder balls on solder mask, a family of its own.</summary>
    public static bool IsBallArray(string product) => product.StartsWith("BGA", StringComparison.OrdinalIgnoreCase);

    // A scribe street with its seal rings on one side, sometimes on two (a die corner), placed so that
    // it usually crosses the visible area but never its middle, where the AOI centres the suspect.
    private static void DrawStreets(Mat labels, Random random, Point centre, int visibleHalf)
    {
        var streets = random.NextDouble() < 0.35 ? 2 : 1;
        var firstSide = random.Next(4);
        for (var i = 0; i < streets; i++)
        {
            var side = (firstSide + i) % 4;
            var distance = (int)(visibleHalf * (0.55 + (0.45 * random.NextDouble())));
            var width = random.Next(36, 72);
            var ring = random.Next(4, 8);
            var gap = random.Next(8, 15);
            var sign = side < 2 ? 1 : -1;
            var vertical = side % 2 == 0;
            var origin = (vertical ? centre.X : centre.Y) + (sign * distance);
            Band(labels, vertical, origin - (sign * (gap + ring)), origin - (sign * gap), Material.SealRing);
            Band(labels, vertical, origin, origin + (sign * width), Material.Street);
            Band(labels, vertical, origin + (sign * (width + gap)), origin + (sign * (width + gap + ring)), Material.SealRing);
        }
    }

    private static void Band(Mat labels, bool vertical, int from, int to, Material material)
    {
        int lo = Math.Min(from, to), hi = Math.Max(from, to);
        var rect = vertical
            ? new Rect(lo, 0, hi - lo, labels.Rows)
            : new Rect(0, lo, labels.Cols, hi - lo);
        Cv2.Rectangle(labels, rect, new Scalar((int)material), -1, LineTypes.Link8);
    }
}
