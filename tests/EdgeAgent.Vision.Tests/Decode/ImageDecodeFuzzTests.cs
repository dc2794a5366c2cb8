using System.Buffers.Binary;
using CsCheck;
using EdgeAgent.Testing;
using EdgeAgent.Testing.Fuzzing;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Decode;
using OpenCvSharp;

namespace EdgeAgent.Vision.Tests.Decode;

/// <summary>
/// Fuzz target <c>png</c>: mutated real PNG, JPEG, BMP and TIFF files (bytes flipped, truncated, spliced; for PNG
/// the chunk CRCs recomputed half the time, so a mutation gets past libpng's CRC check to the decoders) through the
/// header sniffer and the reader with its PNG fast path. The reader never throws; what it decodes, OpenCV decodes
/// to the same pixels; what it refuses carries a documented reason.
/// </summary>
[Trait("Category", "Fuzz")]
[Trait("FuzzTarget", "png")]
public sealed class ImageDecodeFuzzTests : IDisposable
{
    private static readonly FuzzTarget Target = new("png", Properties: 2);

    private static readonly string[] Refusals = [ReasonCode.EmptyFile, ReasonCode.TooLarge, ReasonCode.DecodeFailed, ReasonCode.Truncated, ReasonCode.ReadFailed];

    private static readonly byte[][] Seeds = MakeSeeds();

    private readonly TempFolder _temp = new("edgeagent-fuzz-png-");
    private readonly ImageFileReader _reader = new(new DecodeLimits());

    [Fact]
    public void Header_MutatedImages_DimensionsOrNullNeverThrows()
    {
        Fuzz.Run(Target, "header", ByteMutations.Of(Seeds), bytes =>
        {
            if (ImageHeader.Read(bytes) is var (format, width, height))
            {
                Assert.Contains(format, (string[])["png", "bmp", "jpeg", "tiff"]);
                Assert.True(width >= 0 && height >= 0, $"{format} {width}×{height}");
            }
        }, Print);
    }

    [Fact]
    public void Read_MutatedImages_SamePixelsAsOpenCvOrADocumentedRefusal()
    {
        var gen = Gen.Select(ByteMutations.Of(Seeds), Gen.Bool, Gen.Bool);
        Fuzz.Run(Target, "reader-vs-opencv", gen, t => AssertReadAgreesWithOpenCv(FixCrcs(t.Item1, t.Item2), t.Item3 ? ImreadModes.Color : ImreadModes.Grayscale), t => Print(t.Item1));
    }

    public void Dispose() => _temp.Dispose();

    private void AssertReadAgreesWithOpenCv(byte[] bytes, ImreadModes mode)
    {
        var path = Path.Combine(_temp.Path, "fuzz.png");
        File.WriteAllBytes(path, bytes);
        using var read = _reader.Read(path, mode);
        if (read.Mat is null)
        {
            Assert.Contains(read.Reason, Refusals);
            Assert.False(string.IsNullOrEmpty(read.Detail));
            return;
        }

        using var expected = Cv2.ImDecode(bytes, mode);
        Assert.False(expected.Empty(), $"the reader decoded a {read.Mat.Width}×{read.Mat.Height} image OpenCV refuses");
        Assert.Equal((expected.Width, expected.Height, expected.Type()), (read.Mat.Width, read.Mat.Height, read.Mat.Type()));
        using var difference = new Mat();
        Cv2.Absdiff(expected, read.Mat, difference);
        Assert.Equal(0, Cv2.CountNonZero(difference.Reshape(1)));
    }

    /// <summary>Every PNG chunk's CRC made right again (when asked and the file still looks like a PNG).</summary>
    internal static byte[] FixCrcs(byte[] bytes, bool fix)
    {
        if (!fix || bytes.Length < 8 || bytes[0] != 0x89)
        {
            return bytes;
        }

        var fixedBytes = (byte[])bytes.Clone();
        var at = 8;
        while (at + 12 <= fixedBytes.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(fixedBytes.AsSpan(at));
            if (length < 0 || at + 12L + length > fixedBytes.Length)
            {
                break;
            }

            BinaryPrimitives.WriteUInt32BigEndian(fixedBytes.AsSpan(at + 8 + length), PngWriter.Crc(fixedBytes.AsSpan(at + 4, 4 + length)));
            at += 12 + length;
        }

        return fixedBytes;
    }

    private static string Print(byte[] bytes) => $"{bytes.Length} bytes: {Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, 256)))}";

    // Small real files of each kind the sniffer knows, in the layouts the fast path takes and declines.
    private static byte[][] MakeSeeds()
    {
        using var colour = new Mat(9, 13, MatType.CV_8UC3);
        Cv2.Randu(colour, Scalar.All(0), Scalar.All(255));
        using var gray = new Mat(7, 11, MatType.CV_8UC1);
        Cv2.Randu(gray, Scalar.All(0), Scalar.All(255));
        var pixels = new byte[13 * 9 * 3];
        new Random(7).NextBytes(pixels);
        return
        [
            colour.ImEncode(".png"),
            gray.ImEncode(".png"),
            PngWriter.Encode(pixels, 13, 9, 3, y => (byte)(y % 5)),
            PngWriter.Encode(pixels[..(13 * 9)], 13, 9, 1, y => (byte)((y + 2) % 5)),
            colour.ImEncode(".jpg"),
            gray.ImEncode(".bmp"),
            colour.ImEncode(".bmp"),
            colour.ImEncode(".tif"),
        ];
    }
}
