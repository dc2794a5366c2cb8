using EdgeAgent.Align;
using EdgeAgent.Vision.Align;
using OpenCvSharp;

namespace EdgeAgent.Vision.Tests.Align;

public sealed class ImageAlignerWarpTests
{
    [Fact]
    public void WarpToTemplate_IntegerShift_MovesImagePointToTemplatePoint()
    {
        using var image = new Mat(64, 64, MatType.CV_8UC3);
        Cv2.Randu(image, Scalar.All(0), Scalar.All(255));
        var aligner = new ImageAligner(new AlignmentOptions());

        // Image point p shows template point p + d, so the warped image at template point q is image(q − d).
        using var warped = aligner.WarpToTemplate(image, new Alignment(3, -2, 0, 1));

        Assert.Equal(image.At<Vec3b>(20, 30), warped.At<Vec3b>(20 - 2, 30 + 3));
        Assert.Equal(image.Size(), warped.Size());
        Assert.Equal(image.Type(), warped.Type());
    }

    [Fact]
    public void WarpToTemplate_Rotation_FollowsAlignmentMapping()
    {
        using var image = new Mat(101, 101, MatType.CV_8UC1, Scalar.All(0));
        image.Set(50, 80, (byte)255); // 30 px right of the centre (50, 50)
        var alignment = new Alignment(0, 0, 90, 1);
        var aligner = new ImageAligner(new AlignmentOptions());

        using var warped = aligner.WarpToTemplate(image, alignment);

        // R(90°) maps (30, 0) to (0, −30): counter-clockwise as displayed, i.e. straight up.
        var (x, y) = alignment.ImageToTemplate(80, 50, 50, 50);
        Assert.Equal((50.0, 20.0), (Math.Round(x, 6), Math.Round(y, 6)));
        Assert.Equal(255, warped.At<byte>(20, 50));
    }
}
