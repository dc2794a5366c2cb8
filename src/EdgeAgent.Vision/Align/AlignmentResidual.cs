using EdgeAgent.Align;

namespace EdgeAgent.Vision.Align;

/// <summary>How far an estimated alignment is from the truth where it matters: on the model's crop.</summary>
public static class AlignmentResidual
{
    /// <summary>
    /// The largest distance, over the four corners of the centred <paramref name="crop"/>×<paramref name="crop"/>
    /// window of a <paramref name="size"/>×<paramref name="size"/> template, between where the estimate and the
    /// truth map the corner into the image. The window's top-left is ⌊(size − crop)/2⌋ as the score definition says.
    /// </summary>
    public static double MaxCornerError(Alignment estimated, Alignment truth, int size, int crop = 256)
    {
        ArgumentNullException.ThrowIfNull(estimated);
        ArgumentNullException.ThrowIfNull(truth);
        var centre = AlignmentWarp.Centre(size);
        double first = (size - crop) / 2, last = first + crop - 1;
        var worst = 0.0;
        foreach (var (x, y) in (ReadOnlySpan<(double, double)>)[(first, first), (last, first), (first, last), (last, last)])
        {
            var (ex, ey) = estimated.TemplateToImage(x, y, centre, centre);
            var (tx, ty) = truth.TemplateToImage(x, y, centre, centre);
            worst = Math.Max(worst, Math.Sqrt(((ex - tx) * (ex - tx)) + ((ey - ty) * (ey - ty))));
        }

        return worst;
    }
}
