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
        using var read = ReadFile("min-height.bmp", BmpMinHeight, ImreadModes.Color);

        Assert.Equal(ReasonCode.TooLarge, read.Reason);
    }

    [Fact]
    public void Read_PngSidesWhoseProductOverflowsLong_RefusedTooLarge()
    {
        // 0xFFFFFFFF × 0xFFFFFFFF wraps negative in a long and passed the pixel limit.
        var png = PngWriter.Encode(new byte[3], 1, 1, 3, _ => 0);
        png.AsSpan(16, 8).Fill(0xFF);

        using var read = ReadFile("huge.png", png, ImreadModes.Color);

        Assert.Equal(ReasonCode.TooLarge, read.Reason);
    }

    [Fact]
    public void Read_GrayPngWithABadIdatCrc_RefusedAsOpenCvRefusesIt()
    {
        // One bit of the IDAT CRC flipped (48932887 → 68932887): the fast path decoded it, libpng refuses it.
        var png = Convert.FromHexString(
            "89504E470D0A1A0A0000000D494844520000000B000000070800000000FB05E8810000005F49444154081D015400ABFF01256EE8FB7992AC0A0CC4AA01B0C93D3D819B7F9573BB0B01831119D51156A737EDC37E01BC56C5EF6B880C214F86190107AAA9AAFC94BB8B7F5DB5012E8795FD0EE4DB93AA195C01D2E342DA1970F750A570D449BA2799689328870000000049454E44AE426082");
        using var opencv = Cv2.ImDecode(png, ImreadModes.Grayscale);

        using var read = ReadFile("bad-crc.png", png, ImreadModes.Grayscale);

        Assert.True(opencv.Empty());
        Assert.Equal(ReasonCode.DecodeFailed, read.Reason);
    }

    public void Dispose() => _temp.Dispose();

    // The bytes as a file in the test's folder, read as the inspector reads an AOI file.
    private DecodedImage ReadFile(string name, byte[] bytes, ImreadModes mode)
    {
        var path = Path.Combine(_temp.Path, name);
        File.WriteAllBytes(path, bytes);
        return new ImageFileReader(new DecodeLimits()).Read(path, mode);
    }
}
