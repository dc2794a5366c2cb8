using EdgeAgent.Ingest;

namespace EdgeAgent.Core.Tests.Ingest;

public sealed class FileCompletenessTests
{
    private static readonly byte[] PngHead = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] PngEnd = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82];

    [Fact]
    public void HasEndMarker_PngWithIend_True() =>
        Assert.True(FileCompleteness.HasEndMarker(PngHead, PngEnd, 100));

    [Fact]
    public void HasEndMarker_PngCutShort_False() =>
        Assert.False(FileCompleteness.HasEndMarker(PngHead, PngEnd[..^3], 100));

    [Fact]
    public void HasEndMarker_JpegWithEoiAndPadding_True() =>
        Assert.True(FileCompleteness.HasEndMarker([0xFF, 0xD8, 0xFF], [1, 2, 0xFF, 0xD9, 0, 0], 100));

    [Fact]
    public void HasEndMarker_JpegWithoutEoi_False() =>
        Assert.False(FileCompleteness.HasEndMarker([0xFF, 0xD8, 0xFF], [1, 2, 3, 4], 100));

    [Fact]
    public void HasEndMarker_BmpShorterThanItsHeaderSays_False() =>
        Assert.False(FileCompleteness.HasEndMarker([(byte)'B', (byte)'M', 200, 0, 0, 0], [], 100));

    [Fact]
    public void HasEndMarker_RealFileOnDisk_ReadsHeadAndTail()
    {
        var path = Path.Combine(Path.GetTempPath(), $"edgeagent-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(path, [.. PngHead, .. new byte[50], .. PngEnd]);
        try
        {
            Assert.True(FileCompleteness.HasEndMarker(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
