using EdgeAgent.Vision.Align;
using EdgeAgent.Vision.Synthetic;

namespace EdgeAgent.Vision.Tests.Align;

public sealed class ImageAlignerPeriodicTests
{
    // A wider trust window than the default, so a one-pitch shift (up to 48 px) is judged on accuracy alone.
    private readonly ImageAligner _aligner = new(new AlignmentOptions { MaxShiftPx = 80 });

    [Theory]
    [InlineData("UBM", 3, 1.0, 0.0)]
    [InlineData("UBM", 4, 0.0, 1.0)]
    [InlineData("UBM", 5, -1.0, 1.0)]
    [InlineData("M1", 6, 1.0, 0.0)]
    [InlineData("M1", 7, 0.0, -1.0)]
    [InlineData("M1", 8, 1.0, 1.0)]
    public void Estimate_ShiftOfOnePitch_FindsThePitchNotZero(string product, int seed, double pitchesX, double pitchesY)
    {
        // The same seed and call sequence render the same layout, so the first pair tells the pitch.
        int pitch;
        using (var probe = new AoiPairGenerator(seed).Next(false, 0, 0, 0, product))
        {
            pitch = probe.PitchPx;
        }

        // Slightly off a whole pitch, with a little rotation, as a real misregistration would be.
        double dx = (pitchesX * pitch) + 0.37, dy = (pitchesY * pitch) - 0.21;
        using var pair = new AoiPairGenerator(seed).Next(false, dx, dy, 0.3, product);
        Assert.Equal(pitch, pair.PitchPx);

        var estimate = _aligner.Estimate(pair.Image, pair.Template);

        Assert.True(estimate.Trusted, estimate.UntrustedReason);
        Assert.InRange(AlignmentResidual.MaxCornerError(estimate.Alignment, pair.Truth, pair.Template.Cols), 0, 0.5);
    }
}
