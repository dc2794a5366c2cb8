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

    [Theory]
    [InlineData("UBM", 20, 14.3, -11.6)]
    [InlineData("BGA", 22, -13.2, 15.1)]
    [InlineData("BGA", 26, 17.8, 12.4)]
    [InlineData("UBM", 70, 8.6, 12.0)]
    [InlineData("BGA", 70, -6.3, 8.6)]
    [InlineData("BGA", 88, 19.5, -17.0)]
    public void Estimate_ArrayPitchBelowMaxShiftOrCoarse_NoWholePitchJump(string product, int pitch, double dx, double dy)
    {
        // Default options: MaxShiftPx 32 lets a one-pitch jump of a 20–26 px array pass the shift limit unnoticed.
        using var pair = new AoiPairGenerator(seed: pitch, pitch: new PitchRange(pitch, pitch)).Next(false, dx, dy, 0.5, product);

        var estimate = new ImageAligner(new AlignmentOptions()).Estimate(pair.Image, pair.Template);

        Assert.True(estimate.Trusted, estimate.UntrustedReason);
        Assert.False(estimate.Alignment.Ambiguous);
        Assert.InRange(AlignmentResidual.MaxCornerError(estimate.Alignment, pair.Truth, pair.Template.Cols), 0, 0.5);
    }

    [Theory]
    [InlineData("UBM", 64, 9, 12)]
    [InlineData("BGA", 64, -6, 8)]
    [InlineData("BGA", 24, 5, -3)]
    public void Estimate_FeaturelessArrayAFewPixelsOff_PlacementNearestTheAoiRegistrationWins(string product, int pitch, int dx, int dy)
    {
        // Nothing but the array: every whole pitch away matches as well, and only the AOI's registration can choose.
        var (image, template) = ArrangedPairs.FeaturelessArray(product, pitch, dx, dy);
        using var imageLease = image;
        using var templateLease = template;

        var estimate = new ImageAligner(new AlignmentOptions()).Estimate(image, template);

        Assert.True(estimate.Trusted, estimate.UntrustedReason);
        Assert.False(estimate.Alignment.Ambiguous);
        Assert.InRange(estimate.Alignment.Dx, dx - 0.5, dx + 0.5);
        Assert.InRange(estimate.Alignment.Dy, dy - 0.5, dy + 0.5);
    }

    [Theory]
    [InlineData("BGA", 31, 3)]
    [InlineData("UBM", -30, -33)]
    public void Estimate_FeaturelessArrayNearlyHalfAPitchOff_AmbiguousAndUntrusted(string product, int dx, int dy)
    {
        // 64 px pitch: the placements 31 px one way and 33 px the other match equally, and the AOI's registration
        // (a few px) makes neither much likelier. Guessing would be a coin toss over a whole pitch.
        var (image, template) = ArrangedPairs.FeaturelessArray(product, 64, dx, dy);
        using var imageLease = image;
        using var templateLease = template;

        var estimate = new ImageAligner(new AlignmentOptions()).Estimate(image, template);

        Assert.False(estimate.Trusted);
        Assert.True(estimate.Alignment.Ambiguous);
        Assert.StartsWith("ambiguous: placements", estimate.UntrustedReason, StringComparison.Ordinal);
    }
}
