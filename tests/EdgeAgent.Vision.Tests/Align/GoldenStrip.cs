using EdgeAgent.Vision.Synthetic;
using OpenCvSharp;

namespace EdgeAgent.Vision.Tests.Align;

/// <summary>
/// A golden "strip": the templates of several generated pairs side by side (gray), with the pairs kept so
/// tests can cut suspects from their colour images and know where each belongs in the strip.
/// </summary>
public sealed class GoldenStrip : IDisposable
{
    public const int TileSize = 600;

    public GoldenStrip()
    {
        var generator = new AoiPairGenerator(seed: 31, TileSize);
        var draw = new Random(5);
        for (var i = 0; i < 4; i++)
        {
            // Each tile's image is displaced and rotated against its template, as a real capture would be.
            double dx = Math.Round((draw.NextDouble() * 12) - 6, 2), dy = Math.Round((draw.NextDouble() * 12) - 6, 2);
            double angle = Math.Round((draw.NextDouble() * 1.6) - 0.8, 2);
            Pairs.Add(generator.Next(defective: i % 2 == 1, dx, dy, angle, i % 2 == 0 ? "UBM" : "M1"));
        }

        Golden = new Mat();
        Cv2.HConcat([.. Pairs.Select(p => p.Template)], Golden);
    }

    public List<SyntheticPair> Pairs { get; } = [];

    /// <summary>CV_8UC1, 4·TileSize × TileSize.</summary>
    public Mat Golden { get; }

    /// <summary>
    /// The colour crop of tile <paramref name="tile"/>'s image at (x, y), with extra sensor noise, and where
    /// its top-left truly lies in the strip (through the tile's shift and rotation about the image centre).
    /// </summary>
    public (Mat Suspect, double ExpectedX, double ExpectedY) Cut(int tile, int x, int y, int side, int noiseSeed)
    {
        var pair = Pairs[tile];
        using var roi = new Mat(pair.Image, new Rect(x, y, side, side));
        var suspect = roi.Clone();
        using var noise = new Mat(suspect.Size(), MatType.CV_16SC3);
        var rng = new RNG((ulong)noiseSeed);
        rng.Fill(noise, DistributionType.Normal, 0, 4);
        Cv2.Add(suspect, noise, suspect, null, MatType.CV_8U);

        double centre = (TileSize - 1) / 2.0, half = (side - 1) / 2.0;
        var (tx, ty) = pair.Truth.ImageToTemplate(x + half, y + half, centre, centre);
        return (suspect, (tile * TileSize) + tx - half, ty - half);
    }

    public void Dispose()
    {
        Golden.Dispose();
        foreach (var pair in Pairs)
        {
            pair.Dispose();
        }
    }
}
