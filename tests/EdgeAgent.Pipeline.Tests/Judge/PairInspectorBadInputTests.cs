using EdgeAgent.Pipeline.Tests.Support;
using EdgeAgent.Testing;
using EdgeAgent.Verdicts;
using EdgeAgent.Vision.Decode;
using OpenCvSharp;

namespace EdgeAgent.Pipeline.Tests.Judge;

/// <summary>Every kind of unusable input becomes an ERROR verdict with its reason; none throws.</summary>
public sealed class PairInspectorBadInputTests(InspectorFixture fixture) : IClassFixture<InspectorFixture>, IDisposable
{
    private readonly TempFolder _temp = new();

    [Theory]
    [InlineData("truncated", ReasonCode.Truncated)]
    [InlineData("zero-byte", ReasonCode.EmptyFile)]
    [InlineData("text", ReasonCode.DecodeFailed)]
    [InlineData("corrupt-body", ReasonCode.DecodeFailed)]
    [InlineData("bomb-header", ReasonCode.TooLarge)]
    public void Inspect_BadImageFile_ErrorWithReason(string kind, string reason)
    {
        var (image, template) = WriteGoodPair(600);
        var bytes = File.ReadAllBytes(image);
        File.WriteAllBytes(image, kind switch
        {
            "truncated" => bytes[..(bytes.Length / 2)],
            "zero-byte" => [],
            "text" => "P1 not an image at all"u8.ToArray(),
            "corrupt-body" => [.. bytes[..40], .. new byte[bytes.Length - 52], .. bytes[^12..]],
            _ => PngClaiming(100_000, 100_000),
        });

        var verdict = fixture.Inspector.Inspect(InspectorFixture.Candidate(image, template));

        Assert.Equal(VerdictKind.Error, verdict.Outcome);
        Assert.Equal(reason, verdict.Reason);
        Assert.StartsWith("image ", verdict.Detail, StringComparison.Ordinal);
        Assert.Null(verdict.Score);
    }

    [Fact]
    public void Inspect_ImageNameNotUtf8_ErrorUnreadableName()
    {
        var (image, template) = WriteGoodPair(600);
        RawFileNames.Write(_temp.Path, [.. "bad"u8, 0xFF, 0xFE, .. "name_image.png"u8], File.ReadAllBytes(image));

        // The path as .NET enumerates it: the bad bytes read as U+FFFD.
        var verdict = fixture.Inspector.Inspect(InspectorFixture.Candidate(Path.Combine(_temp.Path, "bad\uFFFD\uFFFDname_image.png"), template));

        Assert.Equal((VerdictKind.Error, ReasonCode.UnreadableName), (verdict.Outcome, verdict.Reason));
        Assert.Contains("not valid UTF-8", verdict.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_TemplateMissing_ErrorTemplateMissing()
    {
        var (image, _) = WriteGoodPair(600);

        var verdict = fixture.Inspector.Inspect(InspectorFixture.Candidate(image, null));

        Assert.Equal((VerdictKind.Error, ReasonCode.TemplateMissing), (verdict.Outcome, verdict.Reason));
    }

    [Fact]
    public void Inspect_TemplateUnreadable_ErrorReadFailed()
    {
        var (image, template) = WriteGoodPair(600);
        File.Delete(template);
        Directory.CreateDirectory(template); // a directory where the file should be: unreadable even for root

        var verdict = fixture.Inspector.Inspect(InspectorFixture.Candidate(image, template));

        Assert.Equal((VerdictKind.Error, ReasonCode.ReadFailed), (verdict.Outcome, verdict.Reason));
        Assert.StartsWith("template ", verdict.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_TemplateVanishedBeforeReading_ErrorReadFailed()
    {
        var (image, template) = WriteGoodPair(600);
        File.Delete(template);

        var verdict = fixture.Inspector.Inspect(InspectorFixture.Candidate(image, template));

        Assert.Equal((VerdictKind.Error, ReasonCode.ReadFailed), (verdict.Outcome, verdict.Reason));
    }

    [Fact]
    public void Inspect_DifferentSizes_ErrorSizeMismatch()
    {
        var (image, _) = WriteGoodPair(600);
        var (_, smallTemplate) = WriteGoodPair(500, "small");

        var verdict = fixture.Inspector.Inspect(InspectorFixture.Candidate(image, smallTemplate));

        Assert.Equal((VerdictKind.Error, ReasonCode.SizeMismatch), (verdict.Outcome, verdict.Reason));
    }

    [Fact]
    public void Inspect_SmallerThanCrop_ErrorTooSmall()
    {
        var (image, template) = WriteGoodPair(fixture.Model.Info.Crop - 10);

        var verdict = fixture.Inspector.Inspect(InspectorFixture.Candidate(image, template));

        Assert.Equal((VerdictKind.Error, ReasonCode.TooSmall), (verdict.Outcome, verdict.Reason));
    }

    [Fact]
    public void Inspect_FileOverByteLimit_ErrorTooLarge()
    {
        var (image, template) = WriteGoodPair(600);
        using var inspector = InspectorFixture.Create(fixture.Model, new Dictionary<string, EdgeAgent.Pipeline.Prepare.ProductSettings>(), new DecodeLimits { MaxFileBytes = 2048 });

        var verdict = inspector.Inspect(InspectorFixture.Candidate(image, template));

        Assert.Equal((VerdictKind.Error, ReasonCode.TooLarge), (verdict.Outcome, verdict.Reason));
    }

    [Fact]
    public void Inspect_UnrelatedTemplate_ReviewNotOk()
    {
        var (image, _) = WriteGoodPair(600);
        var noise = Path.Combine(_temp.Path, "noise_template.png");
        using (var random = new Mat(600, 600, MatType.CV_8UC1))
        {
            Cv2.Randu(random, 0, 255);
            Cv2.ImWrite(noise, random);
        }

        var verdict = fixture.Inspector.Inspect(InspectorFixture.Candidate(image, noise));

        Assert.Equal((VerdictKind.Review, ReasonCode.AlignmentUntrusted), (verdict.Outcome, verdict.Reason));
    }

    public void Dispose() => _temp.Dispose();

    private (string Image, string Template) WriteGoodPair(int size, string id = "pair")
    {
        var generator = new EdgeAgent.Vision.Synthetic.AoiPairGenerator(7, size);
        using var pair = generator.Next(false, 1.5, -2, 0.2, "UBM");
        var image = Path.Combine(_temp.Path, $"{id}_image.png");
        var template = Path.Combine(_temp.Path, $"{id}_template.png");
        Cv2.ImWrite(image, pair.Image);
        Cv2.ImWrite(template, pair.Template);
        return (image, template);
    }

    // A valid PNG signature and IHDR claiming huge dimensions, plus IEND: a decompression bomb's header.
    private static byte[] PngClaiming(int width, int height)
    {
        byte[] signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        byte[] ihdr = [0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R', .. BigEndian(width), .. BigEndian(height), 8, 2, 0, 0, 0, 0, 0, 0, 0];
        byte[] iend = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82];
        return [.. signature, .. ihdr, .. iend];
    }

    private static byte[] BigEndian(int value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];
}
