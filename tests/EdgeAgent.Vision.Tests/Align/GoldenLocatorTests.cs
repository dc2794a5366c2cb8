using System.Diagnostics;
using EdgeAgent.Vision.Align;
using EdgeAgent.Vision.Synthetic;
using OpenCvSharp;
using Xunit.Abstractions;

namespace EdgeAgent.Vision.Tests.Align;

public sealed class GoldenLocatorTests(GoldenStrip strip, ITestOutputHelper output) : IClassFixture<GoldenStrip>
{
    [Theory]
    [InlineData(0, 150, 170, 256)]
    [InlineData(0, 300, 40, 200)]
    [InlineData(1, 160, 160, 256)]
    [InlineData(1, 20, 330, 240)]
    [InlineData(2, 170, 150, 300)]
    [InlineData(2, 380, 380, 180)]
    [InlineData(3, 150, 150, 256)]
    [InlineData(3, 60, 260, 128)]
    public void Locate_CropOfAStripTile_FoundWithinOnePixelAndTrusted(int tile, int x, int y, int side)
    {
        using var locator = new GoldenLocator(strip.Golden);
        var (suspect, expectedX, expectedY) = strip.Cut(tile, x, y, side, noiseSeed: x + y);
        using var _ = suspect;

        var clock = Stopwatch.StartNew();
        using var match = locator.Locate(suspect);
        output.WriteLine($"{side}×{side} in {locator.GoldenSize.Width}×{locator.GoldenSize.Height}: {clock.Elapsed.TotalMilliseconds:F1} ms, " +
            $"at ({match.Position.X}, {match.Position.Y}) expected ({expectedX:F1}, {expectedY:F1}), peak {match.Peak:F3}, rival {match.RivalPeak:F3}");

        Assert.True(match.Trusted, match.UntrustedReason);
        Assert.InRange(match.Position.X, expectedX - 1, expectedX + 1);
        Assert.InRange(match.Position.Y, expectedY - 1, expectedY + 1);
        Assert.NotNull(match.Template);
        Assert.Equal(suspect.Size(), match.Template.Size());
        using var golden = new Mat(strip.Golden, new Rect(match.Position, suspect.Size()));
        Assert.Equal(0, Cv2.Norm(golden, match.Template, NormTypes.INF));
    }

    [Fact]
    public void Locate_RandomCrops_NeverTrustsAWrongPlace()
    {
        using var locator = new GoldenLocator(strip.Golden);
        var draw = new Random(11);
        int trusted = 0, crops = 60;
        var wrong = new List<string>();
        var clock = new Stopwatch();
        for (var i = 0; i < crops; i++)
        {
            // Keep clear of the tile's border, where the rotated image shows content the template lacks.
            int side = draw.Next(128, 321), tile = draw.Next(4);
            int x = draw.Next(10, GoldenStrip.TileSize - side - 10), y = draw.Next(10, GoldenStrip.TileSize - side - 10);
            var (suspect, expectedX, expectedY) = strip.Cut(tile, x, y, side, noiseSeed: i);
            using var _ = suspect;
            clock.Start();
            using var match = locator.Locate(suspect);
            clock.Stop();
            bool correct = Math.Abs(match.Position.X - expectedX) <= 1 && Math.Abs(match.Position.Y - expectedY) <= 1;
            trusted += match.Trusted ? 1 : 0;
            if (match.Trusted && !correct)
            {
                wrong.Add($"tile {tile} ({x}, {y}) {side}px: at ({match.Position.X}, {match.Position.Y}), expected ({expectedX:F1}, {expectedY:F1})");
            }

            if (!match.Trusted)
            {
                output.WriteLine($"untrusted tile {tile} ({x}, {y}) {side}px, {(correct ? "correct" : "wrong")}: {match.UntrustedReason}");
            }
        }

        output.WriteLine($"{trusted}/{crops} trusted, {clock.Elapsed.TotalMilliseconds / crops:F1} ms per crop in a {locator.GoldenSize.Width}×{locator.GoldenSize.Height} golden");
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.InRange(trusted, crops * 9 / 10, crops);
    }

    [Fact]
    public void Locate_CropAtTheGoldenCorner_CropStaysInsideTheGolden()
    {
        // An untransformed image of the first tile: its top-left crop lies at the golden's own corner.
        using var pair = new AoiPairGenerator(seed: 31, GoldenStrip.TileSize).Next(false, 0, 0, 0, "UBM");
        using var golden = pair.Template.Clone();
        using var locator = new GoldenLocator(golden);
        using var suspect = new Mat(pair.Image, new Rect(0, 0, 240, 240));

        using var match = locator.Locate(suspect);

        Assert.True(match.Trusted, match.UntrustedReason);
        Assert.Equal(new Point(0, 0), match.Position);
        Assert.Equal(new Size(240, 240), match.Template!.Size());
    }

    [Fact]
    public void Locate_ImageOfAnotherLayout_IsUntrustedForLowPeak()
    {
        using var locator = new GoldenLocator(strip.Golden);
        using var foreign = new AoiPairGenerator(seed: 977, GoldenStrip.TileSize).Next(false, 0, 0, 0, "UBM");
        using var suspect = new Mat(foreign.Image, new Rect(170, 170, 256, 256));

        using var match = locator.Locate(suspect);
        output.WriteLine($"peak {match.Peak:F3}: {match.UntrustedReason}");

        Assert.False(match.Trusted);
        Assert.StartsWith("peak ", match.UntrustedReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_PeriodicGolden_IsUntrustedAsAmbiguous()
    {
        // A golden that repeats one 200×200 patch: the suspect fits equally well once per period.
        using var pair = new AoiPairGenerator(seed: 12, GoldenStrip.TileSize).Next(false, 0, 0, 0, "UBM");
        using var patch = new Mat(pair.Template, new Rect(150, 150, 200, 200));
        using var golden = new Mat();
        Cv2.Repeat(patch, 3, 4, golden);
        using var locator = new GoldenLocator(golden);
        using var suspect = new Mat(pair.Image, new Rect(180, 190, 150, 150));

        using var match = locator.Locate(suspect);
        output.WriteLine($"peak {match.Peak:F3} rival {match.RivalPeak:F3}: {match.UntrustedReason}");

        Assert.False(match.Trusted);
        Assert.StartsWith("ambiguous", match.UntrustedReason, StringComparison.Ordinal);
        // Whichever copy won, it is one of the true ones: (30, 40) plus whole periods.
        Assert.Equal(30, match.Position.X % 200);
        Assert.Equal(40, match.Position.Y % 200);
    }

    [Fact]
    public void Locate_ImageLargerThanTheGolden_IsUntrustedWithoutCrop()
    {
        using var locator = new GoldenLocator(strip.Pairs[0].Template);
        using var suspect = new Mat(GoldenStrip.TileSize + 1, 100, MatType.CV_8UC3, Scalar.All(90));

        using var match = locator.Locate(suspect);

        Assert.False(match.Trusted);
        Assert.Null(match.Template);
        Assert.Contains("does not fit", match.UntrustedReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_BlankImage_IsUntrustedWithoutCrop()
    {
        using var locator = new GoldenLocator(strip.Golden);
        using var suspect = new Mat(200, 200, MatType.CV_8UC3, Scalar.All(120));

        using var match = locator.Locate(suspect);

        Assert.False(match.Trusted);
        Assert.Null(match.Template);
    }

    [Fact]
    public void Constructor_OptionOutOfRange_Throws() =>
        Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(() =>
            new GoldenLocator(strip.Golden, new GoldenLocatorOptions { MinPeak = 1.5 }));
}
