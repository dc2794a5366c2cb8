using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Decode;
using OpenCvSharp;

namespace EdgeAgent.Vision.Tests.Decode;

/// <summary>Inputs the <c>png</c> fuzz target (<see cref="ImageDecodeFuzzTests"/>) found, kept as they were found.</summary>
public sealed class ImageDecodeFuzzRegressionTests : IDisposable
{
    // A BMP header whose height field is int.MinValue (80000000 little-endian at offset 22): Math.Abs threw OverflowException.
    private static readonly byte[] BmpMinHeight = Convert.FromHexString(
        "424D8A0400000000000036040000280000000B000000000000800100080000000000000000000000000000000000000000000000000000000000");

    private readonly TempFolder _temp = new("edgeagent-fuzz-regression-");

    [Fact]
    public void Header_BmpHeightIntMinValue_ReadsDimensionsWithoutOverflow()
    {
        Assert.Equal(("bmp", 11L, 2147483648L), ImageHeader.Read(BmpMinHeight));
    }

    [Fact]
    public void Read_BmpHeightIntMinValue_RefusedTooLarge()
    {
        var path = Path.Combine(_temp.Path, "min-height.bmp");
        File.WriteAllBytes(path, BmpMinHeight);

        using var read = new ImageFileReader(new DecodeLimits()).Read(path, ImreadModes.Color);

        Assert.Equal(ReasonCode.TooLarge, read.Reason);
    }

    [Fact]
    public void Read_PngSidesWhoseProductOverflowsLong_RefusedTooLarge()
    {
        // 0xFFFFFFFF × 0xFFFFFFFF wraps negative in a long and passed the pixel limit.
        var png = PngWriter.Encode(new byte[3], 1, 1, 3, _ => 0);
        png.AsSpan(16, 8).Fill(0xFF);
        var path = Path.Combine(_temp.Path, "huge.png");
        File.WriteAllBytes(path, png);

        using var read = new ImageFileReader(new DecodeLimits()).Read(path, ImreadModes.Color);

        Assert.Equal(ReasonCode.TooLarge, read.Reason);
    }

    public void Dispose() => _temp.Dispose();
}
