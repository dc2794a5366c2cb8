using OpenCvSharp;

namespace EdgeAgent.Vision.Canary;

/// <summary>The synthetic defects a canary pastes into known-good images.</summary>
public enum CanaryDefectKind
{
    /// <summary>A patch of the same image, flipped on both axes, pasted near the centre (the CutPaste idea): real texture in the wrong place.</summary>
    CutPaste,

    /// <summary>A disc of strong random noise near the centre: nothing like the template.</summary>
    NoiseBlotch,
}

/// <summary>
/// Pastes a synthetic defect into a copy of a known-good AOI image, near its centre, where the model's centre
/// crop and score mask look. Deterministic for a given seed, so a canary's numbers can be repeated.
/// </summary>
public static class CanaryDefects
{
    /// <summary>
    /// Returns a new BGR image (caller disposes) with one defect of <paramref name="kind"/>, sized relative to
    /// the model's crop <paramref name="crop"/> and placed within crop/8 of the centre.
    /// </summary>
    public static Mat Paste(Mat imageBgr, CanaryDefectKind kind, int crop, int seed)
    {
        ArgumentNullException.ThrowIfNull(imageBgr);
        var random = new Random(seed);
        var result = imageBgr.Clone();
        int side = Math.Max(8, crop / 6);
        int reach = Math.Max(1, crop / 8);
        var centre = new Point(
            (imageBgr.Width / 2) + random.Next(-reach, reach + 1),
            (imageBgr.Height / 2) + random.Next(-reach, reach + 1));
        var target = new Rect(centre.X - (side / 2), centre.Y - (side / 2), side, side);
        if (kind == CanaryDefectKind.CutPaste)
        {
            // Taken from a quarter-crop away, so it is not the texture that belongs there.
            var source = new Rect(Math.Clamp(target.X + (crop / 4) + random.Next(side), 0, imageBgr.Width - side), Math.Clamp(target.Y - (crop / 4), 0, imageBgr.Height - side), side, side);
            using var patch = new Mat(imageBgr, source).Clone();
            using var flipped = new Mat();
            Cv2.Flip(patch, flipped, FlipMode.XY);
            using var destination = new Mat(result, target);
            flipped.CopyTo(destination);
        }
        else
        {
            using var noise = new Mat(side, side, MatType.CV_8UC3);
            var rng = new RNG((ulong)random.NextInt64());
            rng.Fill(noise, DistributionType.Uniform, Scalar.All(0), Scalar.All(256));
            using var mask = new Mat(side, side, MatType.CV_8UC1, Scalar.All(0));
            Cv2.Circle(mask, new Point(side / 2, side / 2), side / 2, Scalar.All(255), -1);
            using var destination = new Mat(result, target);
            noise.CopyTo(destination, mask);
        }

        return result;
    }
}
