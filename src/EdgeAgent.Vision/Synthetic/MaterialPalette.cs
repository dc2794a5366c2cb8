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

    public MaterialPalette(Random random, string product)
    {
        Gray = new byte[256];
        Bgr = new Vec3b[256];
        // UBM pads are often gold-flashed; M1 metal stays copper. The tint is what differs, not the layout.
        var goldShift = product.Equals("UBM", StringComparison.OrdinalIgnoreCase) ? 18 : 0;
        // The golden template is a gray capture of the same materials, usually contrast-stretched, and
        // each material's level drifts a little between the two captures (recipe, lot, illumination).
        var stretch = 1.0 + (0.5 * random.NextDouble());
        for (var i = 0; i < BaseBgr.Length; i++)
        {
            var (b, g, r) = BaseBgr[i];
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
