using EdgeAgent.Vision.Align;
using EdgeAgent.Vision.Synthetic;
using OpenCvSharp;

namespace EdgeAgent.Vision.Tests.Align;

public sealed class ImageAlignerUntrustedTests
{
    private readonly ImageAligner _aligner = new(new AlignmentOptions());

    [Theory]
    [InlineData("UBM", "M1")]
    [InlineData("M1", "UBM")]
    [InlineData("UBM", "UBM")]
    [InlineData("M1", "M1")]
    public void Estimate_UnrelatedTemplate_NotTrusted(string imageProduct, string templateProduct)
    {
        using var image = new AoiPairGenerator(seed: 31).Next(false, 4, -3, 0.2, imageProduct);
        using var other = new AoiPairGenerator(seed: 32).Next(false, 0, 0, 0, templateProduct);

        var estimate = _aligner.Estimate(image.Image, other.Template);

        Assert.False(estimate.Trusted);
        Assert.False(string.IsNullOrEmpty(estimate.UntrustedReason));
    }

    [Fact]
    public void Estimate_FlatGrayImage_NotTrusted()
    {
        using var pair = new AoiPairGenerator(seed: 33).Next(false, 2, 2, 0, "UBM");
        using var flat = new Mat(pair.Image.Size(), MatType.CV_8UC3, Scalar.All(128));

        Assert.False(_aligner.Estimate(flat, pair.Template).Trusted);
    }

    [Fact]
    public void Estimate_PureNoise_NotTrusted()
    {
        using var pair = new AoiPairGenerator(seed: 34).Next(false, 2, 2, 0, "M1");
        using var noise = new Mat(pair.Image.Size(), MatType.CV_8UC3);
        Cv2.Randu(noise, Scalar.All(0), Scalar.All(255));
        using var noiseGray = new Mat();
        Cv2.CvtColor(noise, noiseGray, ColorConversionCodes.BGR2GRAY);

        Assert.False(_aligner.Estimate(noise, pair.Template).Trusted);
        Assert.False(_aligner.Estimate(pair.Image, noiseGray).Trusted);
    }

    [Fact]
    public void Estimate_ShiftBeyondLimit_NotTrustedWithShiftReason()
    {
        using var pair = new AoiPairGenerator(seed: 35).Next(false, 30, 22, 0.1, "UBM");

        var estimate = _aligner.Estimate(pair.Image, pair.Template);

        Assert.False(estimate.Trusted);
        Assert.StartsWith("shift 37.", estimate.UntrustedReason, StringComparison.Ordinal);
        Assert.EndsWith("exceeds 32", estimate.UntrustedReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Estimate_AngleBeyondLimit_NotTrustedWithAngleReason()
    {
        using var pair = new AoiPairGenerator(seed: 36).Next(false, 3, -5, 1.2, "M1");
        var strict = new ImageAligner(new AlignmentOptions { MaxAngleDeg = 0.5 });

        var estimate = strict.Estimate(pair.Image, pair.Template);

        Assert.False(estimate.Trusted);
        Assert.StartsWith("angle 1.2", estimate.UntrustedReason, StringComparison.Ordinal);
    }
}
