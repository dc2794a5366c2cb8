using OpenCvSharp;

namespace EdgeAgent.Vision.Synthetic;

/// <summary>
/// Gray (template) and BGR (image) look-up tables for the materials, jittered per pair so that no two
/// pairs share exactly the same contrast, as lots and recipes differ on a line.
/// </summary>
internal sealed class MaterialPalette
{
    // The BGR tint the colour camera sees for each material (indexed by Material): dark grey-green
    // polyimide passivation, copper bumps (with a bright specular cap) and traces, gold/aluminium large
    // pads, bare silicon in the scribe street, bright marks, dark vias.
    private static readonly (byte B, byte G, byte R)[] BaseBgr =
    [
        (70, 95, 60), (80, 150, 215), (170, 215, 245), (70, 130, 190), (120, 180, 215),
        (125, 122, 118), (85, 140, 190), (210, 218, 222), (50, 80, 125),
    ];

    // The same ids on a BGA substrate (DieLayout.IsBallArray): green solder mask instead of polyimide, silver
    // SnAgCu balls with a white ring-light reflection, copper under the mask seen through it as lighter green,
    // gold (ENIG) pads, dark saw street, white silkscreen marks; then the balls' dark rims and the pad metal in
    // the mask openings. A table of its own, jittered only for BGA products, so the UBM/M1 palettes draw
    // exactly the random numbers they always drew.
    private static readonly (byte B, byte G, byte R)[] BallArrayBgr =
    [
        (25, 125, 15), (168, 172, 175), (240, 246, 248), (75, 150, 70), (90, 175, 215),
        (60, 68, 64), (70, 135, 60), (225, 232, 232), (35, 70, 30), (58, 60, 62), (80, 150, 205),
    ];

    public MaterialPalette(Random random, string product)
    {
        Gray = new byte[256];
        Bgr = new Vec3b[256];
        // UBM pads are often gold-flashed; M1 metal stays copper. The tint is what differs, not the layout.
        var goldShift = product.Equals("UBM", StringComparison.OrdinalIgnoreCase) ? 18 : 0;
        // The golden template is a gray capture of the same materials, usually contrast-stretched, and
        // each material's level drifts a little between the two captures (recipe, lot, illumination).
        var stretch = 1.0 + (0.5 * random.NextDouble());
        var table = DieLayout.IsBallArray(product) ? BallArrayBgr : BaseBgr;
        for (var i = 0; i < table.Length; i++)
        {
            var (b, g, r) = table[i];
            var isCopper = (Material)i is Material.Bump or Material.Trace or Material.SealRing;
            var tint = new Vec3b(
                Jitter(random, b - (isCopper ? goldShift : 0), 10),
                Jitter(random, g + (isCopper ? goldShift : 0), 10),
                Jitter(random, r, 10));
            Bgr[i] = tint;
            var luma = (0.114 * tint.Item0) + (0.587 * tint.Item1) + (0.299 * tint.Item2);
            Gray[i] = Jitter(random, (int)Math.Round(128 + ((luma - 128) * stretch)), 10);
        }
    }

    public byte[] Gray { get; }

    public Vec3b[] Bgr { get; }

    public Scalar BgrOf(Material material)
    {
        var c = Bgr[(int)material];
        return new Scalar(c.Item0, c.Item1, c.Item2);
    }

    private static byte Jitter(Random random, int value, int amplitude) =>
        (byte)Math.Clamp(value + random.Next(-amplitude, amplitude + 1), 0, 255);
}
