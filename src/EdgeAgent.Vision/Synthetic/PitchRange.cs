namespace EdgeAgent.Vision.Synthetic;

/// <summary>
/// The range the periodic array's pitch is drawn from, in pixels, both ends included. The default is the
/// generator's historical range: it draws exactly as before, so existing seeds give byte-identical pairs.
/// </summary>
public readonly record struct PitchRange(int MinPx, int MaxPx)
{
    /// <summary>Smallest pitch a layout still draws as distinct balls, bumps or lines with room for a gap.</summary>
    public const int SmallestPx = 12;

    /// <summary>Largest pitch: at 200 px a 600 px crop shows three periods, fewer would not be an array.</summary>
    public const int LargestPx = 200;

    public static PitchRange Default { get; } = new(24, 48);

    /// <summary>Parses "MIN:MAX" (or a single "N" for a fixed pitch), as the <c>generate --pitch</c> option takes it.</summary>
    public static bool TryParse(string text, out PitchRange range)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':');
        range = default;
        if (parts.Length is < 1 or > 2
            || !int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var min)
            || !int.TryParse(parts[^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var max))
        {
            return false;
        }

        range = new PitchRange(min, max);
        return true;
    }

    /// <summary>Throws unless SmallestPx ≤ MinPx ≤ MaxPx ≤ LargestPx.</summary>
    public void Validate()
    {
        if (MinPx < SmallestPx || MaxPx > LargestPx || MinPx > MaxPx)
        {
            throw new ArgumentOutOfRangeException(nameof(PitchRange),
                $"the pitch range {MinPx}:{MaxPx} must satisfy {SmallestPx} ≤ min ≤ max ≤ {LargestPx} px.");
        }
    }

    /// <summary>One pitch, uniformly in the range: a single draw from <paramref name="random"/>, as the generator always made.</summary>
    internal int Draw(Random random) => random.Next(MinPx, MaxPx + 1);

    public override string ToString() => $"{MinPx}:{MaxPx}";
}
