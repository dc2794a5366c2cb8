using System.Globalization;

namespace EdgeAgent.Score;

/// <summary>The kinds of image-score mask the lab uses (score definition, step 9).</summary>
public enum MaskKind
{
    /// <summary>Every pixel counts.</summary>
    None,

    /// <summary>1 inside the centred square of side ρ·R, else 0.</summary>
    Centre,

    /// <summary>exp(−((x−c)² + (y−c)²) / (2(σR)²)), c = (R−1)/2.</summary>
    Gaussian,
}

/// <summary>A mask and its parameter, written as <c>none</c>, <c>centre:ρ</c> or <c>gaussian:σ</c>.</summary>
public sealed record MaskSpec(MaskKind Kind, double Parameter)
{
    /// <summary>Parses the text form used in model metadata and configuration.</summary>
    /// <exception cref="FormatException">The text is not one of the three forms, or the parameter is out of (0, 10].</exception>
    public static MaskSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().Split(':', 2);
        var kind = parts[0].ToLowerInvariant() switch
        {
            "none" => MaskKind.None,
            "centre" or "center" => MaskKind.Centre,
            "gaussian" => MaskKind.Gaussian,
            _ => throw new FormatException($"Unknown mask '{text}': expected none, centre:ρ or gaussian:σ."),
        };
        if (kind == MaskKind.None)
        {
            return parts.Length == 1 ? new MaskSpec(kind, 0) : throw new FormatException($"Mask 'none' takes no parameter: '{text}'.");
        }

        if (parts.Length != 2
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var parameter)
            || !(parameter > 0 && parameter <= 10))
        {
            throw new FormatException($"Mask '{text}' needs a parameter in (0, 10], e.g. {parts[0]}:0.25.");
        }

        return new MaskSpec(kind, parameter);
    }

    /// <summary>
    /// The R×R mask, row-major. Centre: pixel (x, y) is inside iff |x−c| ≤ ρR/2 and |y−c| ≤ ρR/2 with
    /// c = (R−1)/2 (keep in sync with models/export/stpm.py).
    /// </summary>
    public float[] Build(int size)
    {
        var mask = new float[size * size];
        double c = (size - 1) / 2.0;
        double halfSide = Parameter * size / 2;
        double twoSigmaSq = 2 * Math.Pow(Parameter * size, 2);
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                double dx = x - c, dy = y - c;
                mask[(y * size) + x] = Kind switch
                {
                    MaskKind.None => 1f,
                    MaskKind.Centre => Math.Abs(dx) <= halfSide && Math.Abs(dy) <= halfSide ? 1f : 0f,
                    _ => (float)Math.Exp(-((dx * dx) + (dy * dy)) / twoSigmaSq),
                };
            }
        }

        return mask;
    }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        MaskKind.None => "none",
        MaskKind.Centre => string.Create(CultureInfo.InvariantCulture, $"centre:{Parameter}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"gaussian:{Parameter}"),
    };
}
