using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Decode;
using OpenCvSharp;

namespace EdgeAgent.Vision.Tests.Decode;

/// <summary>
/// The reader decodes PNG itself for 8-bit RGB and gray files: these prove it gives OpenCV's pixels, bit for
/// bit, whatever row filters the writer chose, and that every other kind still decodes as OpenCV does.
/// </summary>
public sealed class ImageFileReaderPngTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeagent-png-").FullName;
    private readonly ImageFileReader _reader = new(new DecodeLimits());

    public static TheoryData<int, int> FilterCases()
    {
        var cases = new TheoryData<int, int>();
        foreach (var channels in new[] { 1, 3 })
        {
            foreach (var filter in new[] { 0, 1, 2, 3, 4, -1 })
            {
                cases.Add(channels, filter);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(FilterCases))]
    public void Read_EveryRowFilter_SamePixelsAsOpenCv(int channels, int filter)
    {
        const int Width = 203, Height = 61; // odd sizes: rows that do not fill whole vectors
        var pixels = Texture(Width, Height, channels);
        var path = Write(PngWriter.Encode(pixels, Width, Height, channels, y => (byte)(filter >= 0 ? filter : y % 5)));

        AssertSameAsOpenCv(path, channels == 1 ? ImreadModes.Grayscale : ImreadModes.Color);
    }

    [Theory]
    [InlineData(ImreadModes.Color)]
    [InlineData(ImreadModes.Grayscale)]
    public void Read_PngWrittenByOpenCv_SamePixelsAsOpenCv(ImreadModes mode)
    {
        using var image = new Mat(120, 90, MatType.CV_8UC3);
        Cv2.Randu(image, Scalar.All(0), Scalar.All(255));
        var path = Path.Combine(_dir, "opencv.png");
        Cv2.ImWrite(path, image);

        AssertSameAsOpenCv(path, mode); // gray from a colour file is OpenCV's own conversion
    }

    [Fact]
    public void Read_SixteenBitAndGrayReadAsColour_StillDecodedAsOpenCvDoes()
    {
        using var deep = new Mat(40, 50, MatType.CV_16UC1);
        Cv2.Randu(deep, Scalar.All(0), Scalar.All(65535));
        var path = Path.Combine(_dir, "deep.png");
        Cv2.ImWrite(path, deep);

        AssertSameAsOpenCv(path, ImreadModes.Grayscale);
        AssertSameAsOpenCv(path, ImreadModes.Color);
    }

    [Fact]
    public void Read_CorruptImageData_DecodeFailed()
    {
        var png = PngWriter.Encode(Texture(64, 64, 3), 64, 64, 3, _ => 4);
        png[png.Length / 2] ^= 0x5A;

        var decoded = _reader.Read(Write(png), ImreadModes.Color);

        Assert.Null(decoded.Mat);
        Assert.Equal(ReasonCode.DecodeFailed, decoded.Reason);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void AssertSameAsOpenCv(string path, ImreadModes mode)
    {
        using var expected = Cv2.ImRead(path, mode);
        using var decoded = _reader.Read(path, mode);

        Assert.NotNull(decoded.Mat);
        Assert.Equal((expected.Size(), expected.Type()), (decoded.Mat.Size(), decoded.Mat.Type()));
        using var difference = new Mat();
        Cv2.Absdiff(expected, decoded.Mat, difference);
        Assert.Equal(0, Cv2.CountNonZero(difference.Reshape(1)));
    }

    private string Write(byte[] png)
    {
        var path = Path.Combine(_dir, $"{Guid.NewGuid():N}.png");
        File.WriteAllBytes(path, png);
        return path;
    }

    // Smooth gradients plus noise: every filter has both small and wrapping residuals to undo.
    private static byte[] Texture(int width, int height, int channels)
    {
        var random = new Random(7);
        var pixels = new byte[width * height * channels];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                for (var c = 0; c < channels; c++)
                {
                    pixels[(((y * width) + x) * channels) + c] = (byte)((x * (c + 1)) + (y * 3) + random.Next(0, 40));
                }
            }
        }

        return pixels;
    }
}
