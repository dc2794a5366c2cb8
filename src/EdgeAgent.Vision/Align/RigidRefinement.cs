using EdgeAgent.Align;
using OpenCvSharp;

namespace EdgeAgent.Vision.Align;

/// <summary>A converged refinement: the alignment (full-resolution units) and the normalised correlation it reached.</summary>
internal sealed record Refinement(Alignment Alignment, double Correlation);

/// <summary>
/// Inverse-compositional Lucas–Kanade (Baker &amp; Matthews) for a rotation about the centre plus a
/// shift, on one band-passed pyramid level. The template's gradients and Hessian are computed once, so
/// an iteration costs one warp and three dot products; OpenCV's findTransformECC recomputes everything
/// per iteration and was ~30× slower here for the same answer.
/// </summary>
internal static class RigidRefinement
{
    /// <summary>
    /// Refines <paramref name="start"/> (full-resolution units) against the template <paramref name="steepest"/> was
    /// made from (its window leaves out the border where the image may have no counterpart), on a level whose side is
    /// <paramref name="scale"/> × the full side. Returns null when the iteration does not converge. Several starts
    /// share one <see cref="SteepestDescent"/>: its gradients and Hessian depend on the template alone.
    /// </summary>
    public static Refinement? Refine(SteepestDescent steepest, Mat image, Alignment start, double scale, int maxIterations)
    {
        var size = image.Size();
        var margin = steepest.Inner.X;
        using var start64 = AlignmentWarp.TemplateToImageMatrix(start with { Dx = start.Dx * scale, Dy = start.Dy * scale }, size, size);
        var warp = Matrix3.FromAffine(start64);
        // Only the window is resampled: its pixel (u, v) is the template point (u + margin, v + margin).
        var windowOrigin = Matrix3.Rigid(0, margin, margin, 0, 0);
        var (cx, cy) = (AlignmentWarp.Centre(size.Width), AlignmentWarp.Centre(size.Height));
        var reach = Math.Max(size.Width, size.Height) / 2.0;
        using var warped = new Mat();
        var damping = 1.0;
        var previous = (Theta: 0.0, Dx: 0.0, Dy: 0.0);
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            BilinearWarp.Affine(image, warped, warp.Multiply(windowOrigin), steepest.Inner.Size);

            var (dTheta, dx, dy) = steepest.Solve(warped);
            if (!double.IsFinite(dTheta) || !double.IsFinite(dx) || !double.IsFinite(dy))
            {
                return null;
            }

            // The Hessian is the template's; where the image shows a feature with more contrast than the
            // template (a weakly constrained direction, e.g. along a metal grating), full Gauss–Newton
            // steps overshoot and oscillate. A step that reverses the last one is damped, then trust regrows.
            var reverses = (dTheta * previous.Theta * reach * reach) + (dx * previous.Dx) + (dy * previous.Dy) < 0;
            damping = reverses ? damping * 0.5 : Math.Min(1, damping * 1.5);
            previous = (dTheta, dx, dy);
            (dTheta, dx, dy) = (dTheta * damping, dx * damping, dy * damping);

            warp = warp.Multiply(Matrix3.Rigid(dTheta, dx, dy, cx, cy).Inverse());
            var (mx, my) = warp.Apply(cx, cy);
            if (Math.Abs(mx - cx) > reach || Math.Abs(my - cy) > reach)
            {
                return null;
            }

            // Converged when the update moves no point of the level by more than 1/100 pixel; bilinear
            // resampling makes the cost surface too rough for much finer steps to settle. An iteration
            // cap that ends still moving by under 1/20 pixel (an oscillation, not a drift) also counts.
            var movement = Math.Sqrt((dx * dx) + (dy * dy)) + (Math.Abs(dTheta) * reach);
            if (movement < 0.01 || (iteration == maxIterations - 1 && movement < 0.05))
            {
                var found = warp.ToAlignment(cx, cy);
                return new Refinement(found with { Dx = found.Dx / scale, Dy = found.Dy / scale }, steepest.Correlation(warped));
            }
        }

        return null;
    }
}
